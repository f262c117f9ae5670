"""Delivery fees: each farm's zones by province, a flat or per-weight fee, free delivery
above a threshold, or pickup at the farm."""

from __future__ import annotations

import math
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.validation import check_province, clean_text, parse_vnd, parse_whole_number
from farms.models import Farm
from farms.permissions import ensure_can_manage
from farms.readiness import Missing, register_check
from orders.models import DeliverySettings, DeliveryZone
from products.models import Product, ProductStatus

#: A zone with this code covers every province the farm has not named on its own.
ALL_PROVINCES = "00"
#: A new zone's delivery time, in days, until the farm says otherwise.
DEFAULT_DAYS = (2, 4)
#: Longer than this is no delivery time a buyer can plan with.
MAX_DAYS = 30


def zone_for(settings: DeliverySettings, province_code: str) -> DeliveryZone | None:
    by_code = {zone.province_code: zone for zone in settings.zones}
    return by_code.get(province_code) or by_code.get(ALL_PROVINCES)


def zone_fee(zone: DeliveryZone, weight_grams: int) -> int:
    if zone.fee_rule == "per_weight":
        steps = max(1, math.ceil(weight_grams / zone.weight_step_grams))
        return steps * zone.fee_vnd
    return zone.fee_vnd


def delivery_fee(
    settings: DeliverySettings | None,
    *,
    method: str,
    province_code: str,
    subtotal_vnd: int,
    weight_grams: int,
) -> int:
    """The fee the farm charges for this order, or a DomainError saying why it cannot go."""
    if settings is None:
        raise DomainError(_l("This farm has not set up delivery yet."))
    if method == "pickup":
        if not settings.pickup_enabled:
            raise DomainError(_l("This farm does not offer pickup."))
        return 0
    zone = zone_for(settings, province_code)
    if zone is None:
        raise DomainError(_l("This farm does not deliver to your province."))
    if settings.free_delivery_from_vnd and subtotal_vnd >= settings.free_delivery_from_vnd:
        return 0
    return zone_fee(zone, weight_grams)


def _stored_settings(farm: Farm) -> DeliverySettings | None:
    return db.session.scalar(select(DeliverySettings).where(DeliverySettings.farm_id == farm.id))


def settings_for(farm: Farm) -> DeliverySettings:
    settings = _stored_settings(farm)
    if settings is None:
        settings = DeliverySettings(farm=farm)
        db.session.add(settings)
    return settings


def set_delivery_settings(
    farm: Farm,
    actor: User,
    *,
    min_order_vnd,
    free_delivery_from_vnd,
    pickup_enabled: bool,
    pickup_address: str | None,
) -> DeliverySettings:
    ensure_can_manage(actor, farm)
    # Every field is checked before the settings are touched (or created): a refusal leaves
    # them as they were.
    minimum = parse_vnd(min_order_vnd or 0, "min_order_vnd", _l("the minimum order"), minimum=0)
    free_from = (
        parse_vnd(free_delivery_from_vnd, "free_delivery_from_vnd", _l("the free-delivery amount"))
        if str(free_delivery_from_vnd or "").strip()
        else None
    )
    settings = _stored_settings(farm)
    if (
        settings
        and settings.pickup_enabled
        and not pickup_enabled
        and _sells_by_pickup_only(settings)
    ):
        raise DomainError(
            _l(
                "Your products on sale could then reach no buyer: add a delivery fee for a "
                "province before you stop pickup."
            ),
            field="pickup_enabled",
        )
    address = (
        clean_text(pickup_address, "pickup_address", 255, _l("the pickup address"))
        if pickup_enabled
        else None
    )
    settings = settings or settings_for(farm)
    settings.min_order_vnd = minimum
    settings.free_delivery_from_vnd = free_from
    settings.pickup_enabled = bool(pickup_enabled)
    settings.pickup_address = address
    db.session.flush()
    return settings


def _sells_by_pickup_only(settings: DeliverySettings) -> bool:
    """The farm has products on sale and pickup is its only way to hand them over."""
    if settings.id is None:
        return False
    has_zone = db.session.scalar(
        select(DeliveryZone.id).where(DeliveryZone.settings_id == settings.id).limit(1)
    )
    on_sale = db.session.scalar(
        select(Product.id)
        .where(Product.farm_id == settings.farm_id, Product.status == ProductStatus.PUBLISHED)
        .limit(1)
    )
    return has_zone is None and on_sale is not None


def set_zone(
    farm: Farm,
    actor: User,
    *,
    province_code: str,
    fee_rule: str,
    fee_vnd,
    weight_step_grams=None,
    min_days=DEFAULT_DAYS[0],
    max_days=DEFAULT_DAYS[1],
) -> DeliveryZone:
    """Add or replace the fee and the delivery time for one province (or "00", every other
    province)."""
    ensure_can_manage(actor, farm)
    if province_code != ALL_PROVINCES:
        check_province(province_code)
    if fee_rule not in ("flat", "per_weight"):
        raise DomainError(_l("Choose one of the options."), field="fee_rule")
    # Both amounts are checked before a zone (or the settings) is touched or added.
    fee = parse_vnd(fee_vnd, "fee_vnd", _l("the delivery fee"), minimum=0)
    step = (
        parse_whole_number(
            weight_step_grams,
            "weight_step_grams",
            _l("the weight step"),
            minimum=1,
            maximum=100_000,
        )
        if fee_rule == "per_weight"
        else None
    )
    soonest, latest = _delivery_days(min_days, max_days)
    settings = settings_for(farm)
    zone = zone_for(settings, province_code)
    if zone is None or zone.province_code != province_code:
        zone = DeliveryZone(province_code=province_code)
        settings.zones.append(zone)
    zone.fee_rule = fee_rule
    zone.fee_vnd = fee
    zone.weight_step_grams = step
    zone.min_days, zone.max_days = soonest, latest
    db.session.flush()
    return zone


def _delivery_days(min_days, max_days) -> tuple[int, int]:
    soonest = parse_whole_number(
        min_days, "min_days", _l("the soonest delivery"), minimum=0, maximum=MAX_DAYS
    )
    latest = parse_whole_number(
        max_days, "max_days", _l("the latest delivery"), minimum=0, maximum=MAX_DAYS
    )
    if latest < soonest:
        raise DomainError(
            _l("The latest delivery cannot come before the soonest."), field="max_days"
        )
    return soonest, latest


def _cannot_hand_over(farms: Sequence[Farm]) -> set[int]:
    """A farm sells only once it delivers somewhere or lets buyers collect."""
    has_zone = (
        select(DeliveryZone.id).where(DeliveryZone.settings_id == DeliverySettings.id).exists()
    )
    ids = [farm.id for farm in farms]
    ready = db.session.scalars(
        select(DeliverySettings.farm_id).where(
            DeliverySettings.farm_id.in_(ids), DeliverySettings.pickup_enabled | has_zone
        )
    )
    return set(ids) - set(ready)


register_check(
    "delivery",
    Missing(
        _l("No delivery: add the provinces you deliver to, or let buyers collect at the farm."),
        _l("Set up delivery"),
        "orders.delivery_settings",
    ),
    _cannot_hand_over,
    title=_l("Delivery or pickup"),
    position=20,
)
