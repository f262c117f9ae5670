"""Variants sold by weight (a pomelo of about 1.2 kg at 45,000 ₫/kg): their price per kg and
estimated piece price. How orders charge the actual weight is orders.weighed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.validation import parse_vnd
from products.models import Variant


def price_for_grams(price_per_kg_vnd: int, grams: int) -> int:
    """price_per_kg × grams / 1000, rounded half up to a whole đồng, in integers only (no
    float turns 22,500.5 into 22,500)."""
    return (price_per_kg_vnd * grams + 500) // 1000


def weighed_fields(
    variant: Variant,
    *,
    sold_by_weight: bool | None,
    price_per_kg_vnd,
    price_vnd: int | None,
    weight_grams,
) -> dict:
    """The checked weighed-goods columns, and the price they set.

    sold_by_weight None keeps how the variant sells (a caller that does not know of weighed
    goods); for a weighed variant such a caller may change its weight (the estimated piece)
    but not set another piece price than the one its price per kg makes."""
    keeps = sold_by_weight is None
    weighed = bool(variant.sold_by_weight) if keeps else bool(sold_by_weight)
    if not weighed:
        return {"sold_by_weight": False, "price_per_kg_vnd": None}
    if keeps or price_per_kg_vnd in (None, ""):
        per_kg = variant.price_per_kg_vnd
        if per_kg is None:
            raise DomainError(
                _l("Enter the price per kg of what is sold by weight."), field="price_per_kg_vnd"
            )
    else:
        per_kg = parse_vnd(price_per_kg_vnd, "price_per_kg_vnd", _l("the price per kg"))
    piece_price = price_for_grams(per_kg, weight_grams)
    if piece_price < 1:
        raise DomainError(
            _l("The estimated piece is too light for its price per kg."), field="weight_grams"
        )
    if keeps and price_vnd not in (variant.price_vnd, piece_price):
        ensure_piece_price_kept(variant, price_vnd)
    if price_vnd not in (None, variant.price_vnd, piece_price):
        # A price typed beside a price per kg would be silently replaced: say so instead.
        raise DomainError(
            _l("Sold by weight, the price is worked out from the price per kg: leave it empty."),
            field="price_vnd",
        )
    return {"sold_by_weight": True, "price_per_kg_vnd": per_kg, "price_vnd": piece_price}


def ensure_piece_price_kept(variant: Variant, price_vnd: int) -> None:
    """A weighed variant's price follows its price per kg: a new piece price is refused."""
    if variant.sold_by_weight and price_vnd != variant.price_vnd:
        raise DomainError(
            _l(
                "%(name)s is sold by weight: change its price per kg on its page, and its "
                "piece price follows.",
                name=variant.product.name if variant.product else "",
            ),
            field="price_vnd",
        )
