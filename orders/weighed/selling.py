"""What an order line copies from a variant sold by weight when the order is placed."""

from __future__ import annotations

from products.models import Variant


def sold_as(variant: Variant, quantity: int) -> dict:
    """The line's weighed-goods columns: as sold (price per kg, the pieces' estimated
    weight), or nothing for a variant sold by the unit."""
    if not variant.sold_by_weight:
        return {}
    return {
        "sold_by_weight": True,
        "price_per_kg_vnd": variant.price_per_kg_vnd,
        "estimated_grams": variant.weight_grams * quantity,
    }
