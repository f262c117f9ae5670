"""Tokens over HTTP: read the calling token, make a personal one with the account's password
(what a `curl` script starts with), revoke the calling one."""

from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import current_app, request
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import abort

from api.auth import authorized, caller, current_credential
from api.blueprint import api_blueprint
from api.schemas import UtcTime
from app.auth import services
from app.auth.api_scopes import SCOPES
from app.auth.api_tokens import LIFETIME_CHOICES, ApiToken, create_personal_token, revoke_token
from app.auth.identifiers import InvalidIdentifier, parse_identifier
from app.auth.passwords import MAX_PASSWORD_LENGTH
from app.extensions import client_address, db, limiter

blp = api_blueprint("token", "", "API tokens: the calling one, a new one, revoking")

BASIC = "basicAuth"
#: The log-in form's limiter scope (its endpoint): wrong passwords sent here and there are
#: counted together, per account and per client address.
LOGIN_SCOPE = "auth.login"
#: Kept on the request (not on `g`, which an application context may share between
#: requests): a wrong password was sent; the account the password opened.
PASSWORD_FAILED = "nongsan.api_password_failed"
PASSWORD_USER = "nongsan.api_password_user"


@blp.record_once
def _document_basic_auth(state) -> None:
    api = state.app.extensions["flask-smorest"]["blp_name_to_api"][blp.name]
    api.spec.components.security_scheme(
        BASIC,
        {
            "type": "http",
            "scheme": "basic",
            "description": "The account's phone number or e-mail and its password; only "
            "to make a token (POST /api/v1/tokens).",
        },
    )


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    user_id = ma.fields.Integer(required=True)
    farm_id = ma.fields.Integer(required=True, allow_none=True)
    scopes = ma.fields.List(ma.fields.String(), required=True)
    expires_at = UtcTime(required=True)


class NewTokenSchema(ma.Schema):
    name = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=80),
        metadata={"description": "What the token is for, e.g. “Kế toán HTX”"},
    )
    scopes = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(list(SCOPES))),
        required=True,
        validate=ma.validate.Length(min=1, max=len(SCOPES)),
        metadata={"description": "Permissions; the account's role decides which it may give"},
    )
    expires_in_days = ma.fields.Integer(
        load_default=90,
        validate=ma.validate.OneOf(LIFETIME_CHOICES),
        metadata={"description": "Lifetime: 30, 90 or 365 days"},
    )


class CreatedTokenSchema(TokenSchema):
    secret = ma.fields.String(
        required=True,
        metadata={"description": "The token itself (nss_…): shown in this answer only"},
    )


def _token_body(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "user_id": token.user_id,
        "farm_id": token.farm_id,
        "scopes": sorted(token.scope_set),
        "expires_at": token.expires_at,
    }


def _basic_credentials() -> tuple[str, str] | None:
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or not auth.password:
        return None
    return auth.username, auth.password


def _account_key() -> str:
    """The log-in form's per-account key, from the Basic credentials' identifier."""
    raw = (_basic_credentials() or ("", ""))[0]
    try:
        return "account:" + parse_identifier(raw).value
    except InvalidIdentifier:
        return "account:" + raw.strip().lower()[:254]


def _address_key() -> str:
    return "address:" + client_address()


def _password_failed(response) -> bool:
    return bool(request.environ.get(PASSWORD_FAILED))


def _refuse_credentials():
    abort(
        401,
        message=gettext("The phone number, e-mail or password is not right."),
        headers={"WWW-Authenticate": 'Basic realm="nongsan-api", charset="UTF-8"'},
    )


@blp.route("/token")
class CallingToken(MethodView):
    @authorized(blp, None)
    @blp.response(200, TokenSchema)
    def get(self):
        """The calling token: its owner, farm (for a farm key), scopes and expiry."""
        return _token_body(db.session.get(ApiToken, current_credential().token_id))

    @authorized(blp, None)
    @blp.response(204)
    def delete(self):
        """Revoke the calling token: it stops working at once (a leaked one, or when done)."""
        revoke_token(caller(), current_credential().token_id)
        db.session.commit()


def password_checked(view):
    """Check the Basic credentials before anything else (as `authorized` checks a token), so
    a caller without them learns nothing about the body."""

    @wraps(view)
    def guarded(*args, **kwargs):
        credentials = _basic_credentials()
        if credentials is None or len(credentials[1]) > MAX_PASSWORD_LENGTH:
            _refuse_credentials()
        user = services.authenticate(*credentials)
        if user is None:
            request.environ[PASSWORD_FAILED] = True
            _refuse_credentials()
        request.environ[PASSWORD_USER] = user
        return view(*args, **kwargs)

    return guarded


@blp.route("/tokens", methods=["POST"])
@limiter.shared_limit(
    lambda: current_app.config["LOGIN_ACCOUNT_LIMIT"],
    scope=LOGIN_SCOPE,
    key_func=_account_key,
    deduct_when=_password_failed,
)
@limiter.shared_limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    scope=LOGIN_SCOPE,
    key_func=_address_key,
    deduct_when=_password_failed,
)
@password_checked
@blp.doc(security=[{BASIC: []}])
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.arguments(NewTokenSchema)
@blp.response(201, CreatedTokenSchema)
def create_token(body: dict):
    """Make a personal access token with the account's own password (HTTP Basic).

    The secret is in this answer only. Wrong passwords count against the same limits as
    the log-in form's, per account and per address.
    """
    token, secret = create_personal_token(
        request.environ[PASSWORD_USER],
        name=body["name"],
        scopes=set(body["scopes"]),
        lifetime_days=body["expires_in_days"],
    )
    db.session.commit()
    return {**_token_body(token), "secret": secret}
