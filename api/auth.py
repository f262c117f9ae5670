"""Who is calling: the bearer token of each request, and the scope each operation needs.

The API never looks at the session cookie: a page's log-in cannot be borrowed by a script on
another site (and so the API needs no CSRF token). `authorized(blp, scope)` both enforces the
scope and writes it into the OpenAPI document, so the contract and the check cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from flask_babel import gettext
from flask_smorest import Blueprint, abort

from app.auth.api_tokens import ApiCredential, authenticate
from app.auth.models import User

BEARER = "bearerAuth"
#: Where the request keeps its credential once looked up.
CREDENTIAL_KEY = "nongsan.api_credential"


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def current_credential() -> ApiCredential | None:
    """The request's credential (looked up once), or None for a caller with no valid token."""
    # Kept on the request, not on `g`: an application context may outlive one request (a
    # test's, a CLI's), and one caller's credential must never answer for the next.
    if CREDENTIAL_KEY not in request.environ:
        secret = _bearer_secret()
        request.environ[CREDENTIAL_KEY] = authenticate(secret) if secret else None
    return request.environ[CREDENTIAL_KEY]


def caller() -> User:
    """The person the token acts for; only inside an operation guarded by `authorized`."""
    credential = current_credential()
    assert credential is not None, "caller() outside an authorized operation"
    return credential.user


def require_scope(scope: str | None) -> ApiCredential:
    credential = current_credential()
    if credential is None:
        abort(
            401,
            message=gettext("Send a valid API token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="nongsan-api"'},
        )
    if scope is not None and not credential.allows(scope):
        abort(
            403,
            message=gettext("This token lacks the permission %(scope)s.", scope=scope),
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )
    return credential


def authorized(blp: Blueprint, scope: str | None) -> Callable:
    """Decorate an operation: a token with `scope` (any valid token for None) is needed, and
    the document says so."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            require_scope(scope)
            return view(*args, **kwargs)

        guarded = blp.alt_response(401, response="UNAUTHORIZED")(guarded)
        guarded = blp.alt_response(403, response="FORBIDDEN")(guarded)
        return blp.doc(security=[{BEARER: [scope] if scope else []}])(guarded)

    return decorate
