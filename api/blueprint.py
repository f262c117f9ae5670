"""The blueprints of /api/v1: flask-smorest's, with the API's own error handling and limits."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from api.auth import CREDENTIAL_KEY
from api.problems import domain_error
from api.rate_limits import limit_every_operation
from app.errors import DomainError
from app.extensions import db


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """A blueprint under /api/v1/<path>; its tag in the document is `name`."""
    blp = Blueprint(name, __name__, url_prefix=f"/api/v1{path}", description=description)
    # PermissionDenied, NotFound and HTTP errors reach app.errors, which asks api.problems.
    blp.register_error_handler(DomainError, domain_error)
    limit_every_operation(blp)
    blp.after_request(_keep_last_use)
    return blp


def _keep_last_use(response):
    """A read changes nothing but the token's last use (api_tokens.authenticate); commit it,
    or the profile would show only the calls that wrote something. Writes commit themselves;
    a refused call keeps nothing."""
    if (
        request.method in ("GET", "HEAD")
        and response.status_code < 400
        and request.environ.get(CREDENTIAL_KEY) is not None
    ):
        db.session.commit()
    return response
