"""The token a program is using: who it acts for, what it may do, until when."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.auth import authorized, current_credential
from api.blueprint import api_blueprint
from api.schemas import UtcTime
from app.auth.api_tokens import ApiToken
from app.extensions import db

blp = api_blueprint("token", "/token", "The calling token")


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    user_id = ma.fields.Integer(required=True)
    farm_id = ma.fields.Integer(required=True, allow_none=True)
    scopes = ma.fields.List(ma.fields.String(), required=True)
    expires_at = UtcTime(required=True)


@blp.route("")
class CallingToken(MethodView):
    @authorized(blp, None)
    @blp.response(200, TokenSchema)
    def get(self):
        """The calling token: its owner, farm (for a farm key), scopes and expiry."""
        credential = current_credential()
        token = db.session.get(ApiToken, credential.token_id)
        return {
            "id": token.id,
            "name": token.name,
            "user_id": token.user_id,
            "farm_id": token.farm_id,
            "scopes": sorted(token.scope_set),
            "expires_at": token.expires_at,
        }
