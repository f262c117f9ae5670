"""Order factories: farms that deliver, a buyer's contact details, a placed checkout."""

from __future__ import annotations

from app.clock import local_today
from orders.delivery import set_delivery_settings, set_zone
from orders.services import Contact, place_order


def deliver_everywhere(farm, *, fee_vnd: int = 30000, min_order_vnd: int = 0, **settings):
    owner = farm.members[0].user
    # The zone first: a farm on sale by pickup only may not turn pickup off before it delivers.
    set_zone(farm, owner, province_code="00", fee_rule="flat", fee_vnd=str(fee_vnd))
    set_delivery_settings(
        farm,
        owner,
        min_order_vnd=str(min_order_vnd),
        free_delivery_from_vnd=settings.pop("free_delivery_from_vnd", ""),
        pickup_enabled=settings.pop("pickup_enabled", False),
        pickup_address=settings.pop("pickup_address", None),
    )
    return farm


def hanoi_contact(**overrides) -> Contact:
    fields = {
        "name": "Lê Minh Anh",
        "phone": "0987 654 321",
        "email": "anh@example.vn",
        "province_code": "01",
        "commune": "00070",  # Phường Hoàn Kiếm
        "street": "12 Hàng Bạc",
    }
    fields.update(overrides)
    return Contact(**fields)


def make_checkout(
    variants, quantity: int = 1, *, buyer=None, payment_method: str = "cod", **overrides
):
    """One checkout of `quantity` of each variant (an order per farm), at today's prices."""
    return place_order(
        {variant.id: quantity for variant in variants},
        buyer=buyer,
        contact=overrides.pop("contact", None) or hanoi_contact(),
        payment_method=payment_method,
        shown_prices={variant.id: variant.price_vnd for variant in variants},
        today=overrides.pop("today", None) or local_today(),
        **overrides,
    )


def make_order(variant, quantity: int = 1, **overrides):
    """One farm's order of `quantity` of a variant, placed at its current price today."""
    return make_checkout([variant], quantity, **overrides).orders[0]


def place_one(variant, *, quantity: int = 2, buyer=None, payment_method="bank_transfer", **kw):
    """A checkout of one line at the variant's current price, as a buyer places it."""
    return make_checkout([variant], quantity, buyer=buyer, payment_method=payment_method, **kw)
