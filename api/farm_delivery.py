"""A farm's delivery settings over the API, as its delivery page edits them: the minimum
order, free delivery, pickup (orders.delivery.set_delivery_settings), and the fee and
delivery time for a province (orders.delivery.set_zone, which adds or replaces it)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow.validate import OneOf, Range
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.farm_catalog_schemas import count, text
from api.reach import farm_in_reach
from api.schemas import ROW_ID, Vnd
from app.extensions import db
from app.validation import MAX_VND
from farms.models import Farm
from orders import delivery
from orders.models import DeliverySettings

blp = api_blueprint(
    "farm delivery",
    "/farms",
    "A farm's delivery: minimum order, free delivery, pickup, and fees by province",
)

#: A province code as the delivery page lists them; "00" is every other province.
PROVINCE = "string(length=2)"


class DeliveryZoneSchema(ma.Schema):
    province_code = ma.fields.String(
        required=True, metadata={"description": f'"{delivery.ALL_PROVINCES}": every other one'}
    )
    fee_rule = ma.fields.String(required=True, metadata={"enum": ["flat", "per_weight"]})
    fee_vnd = Vnd(required=True, metadata={"description": "Per order, or per weight step"})
    weight_step_grams = ma.fields.Integer(required=True, allow_none=True)
    min_days = ma.fields.Integer(required=True)
    max_days = ma.fields.Integer(required=True)


class FarmDeliverySchema(ma.Schema):
    min_order_vnd = Vnd(required=True)
    free_delivery_from_vnd = Vnd(
        required=True, allow_none=True, metadata={"description": "null: never free"}
    )
    pickup_enabled = ma.fields.Boolean(required=True)
    pickup_address = ma.fields.String(required=True, allow_none=True)
    zones = ma.fields.List(ma.fields.Nested(DeliveryZoneSchema), required=True)


class FarmDeliveryChangeSchema(ma.Schema):
    """The delivery page's settings form; every field, as PUT replaces them."""

    min_order_vnd = Vnd(required=True, validate=Range(min=0, max=MAX_VND))
    free_delivery_from_vnd = Vnd(required=True, allow_none=True, validate=Range(min=1, max=MAX_VND))
    pickup_enabled = ma.fields.Boolean(required=True)
    pickup_address = text(1000, required=True, allow_none=True)


class DeliveryZoneChangeSchema(ma.Schema):
    fee_rule = ma.fields.String(required=True, validate=OneOf(["flat", "per_weight"]))
    fee_vnd = Vnd(required=True, validate=Range(min=0, max=MAX_VND))
    weight_step_grams = count(
        1,
        100_000,
        load_default=None,
        allow_none=True,
        metadata={"description": "Needed for per_weight"},
    )
    min_days = count(0, delivery.MAX_DAYS, load_default=delivery.DEFAULT_DAYS[0])
    max_days = count(0, delivery.MAX_DAYS, load_default=delivery.DEFAULT_DAYS[1])


def _settings_body(farm: Farm) -> dict | DeliverySettings:
    """What is stored, or what a farm that never saved its delivery page has (nothing is
    written for a read)."""
    stored = db.session.scalar(
        select(DeliverySettings)
        .where(DeliverySettings.farm_id == farm.id)
        .options(selectinload(DeliverySettings.zones))
    )
    if stored is not None:
        return stored
    return {
        "min_order_vnd": 0,
        "free_delivery_from_vnd": None,
        "pickup_enabled": False,
        "pickup_address": None,
        "zones": [],
    }


@blp.route(f"/<{ROW_ID}:farm_id>/delivery")
class FarmDelivery(MethodView):
    @authorized(blp, "farm:read")
    @blp.response(200, FarmDeliverySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int):
        """The farm's delivery settings and its fees by province."""
        return _settings_body(farm_in_reach(farm_id))

    @authorized(blp, "farm:write")
    @blp.arguments(FarmDeliveryChangeSchema)
    @blp.response(200, FarmDeliverySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, settings, farm_id: int):
        """Replace the minimum order, free delivery threshold and pickup; the fees by
        province stay (PUT .../delivery/zones/{province_code} sets one)."""
        farm = farm_in_reach(farm_id)
        delivery.set_delivery_settings(farm, caller(), **settings)
        db.session.commit()
        return _settings_body(farm)


@blp.route(f"/<{ROW_ID}:farm_id>/delivery/zones/<{PROVINCE}:province_code>", methods=["PUT"])
@authorized(blp, "farm:write")
@blp.arguments(DeliveryZoneChangeSchema)
@blp.response(200, FarmDeliverySchema)
@blp.alt_response(404, response="NOT_FOUND")
def put_zone(zone, farm_id: int, province_code: str):
    """Add or replace the fee and delivery time for one province ("00": every province
    without its own)."""
    farm = farm_in_reach(farm_id)
    delivery.set_zone(farm, caller(), province_code=province_code, **zone)
    db.session.commit()
    return _settings_body(farm)
