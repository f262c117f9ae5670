"""The farms a token reaches: where a program finds the farm ids of every farm operation."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.auth import authorized, current_credential
from api.blueprint import api_blueprint
from farms.permissions import managed_farms

blp = api_blueprint("my-farms", "/me/farms", "The farms the calling token may act on")


class ReachableFarmSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    province_code = ma.fields.String(required=True)


@blp.route("")
class MyFarms(MethodView):
    @authorized(blp, None)
    @blp.response(200, ReachableFarmSchema(many=True))
    def get(self):
        """The farms the caller runs (and, for a cooperative manager, its member households);
        a farm key reaches its own farm only."""
        credential = current_credential()
        farms = managed_farms(credential.user)
        if credential.farm_id is not None:
            farms = [farm for farm in farms if farm.id == credential.farm_id]
        return farms
