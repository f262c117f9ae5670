""" "Buy again": a past order's variants and quantities go back into the cart, as far as they
are still on sale and in stock; the buyer is told what could not come back."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field

from app.auth.models import User
from app.errors import DomainError
from orders import cart as carts
from orders.models import Order, OrderLine
from orders.services import ensure_buyer_of
from products.units import translate_unit_label


@dataclass
class Refill:
    """What came back into the cart, by "product (unit)" name."""

    added: list[str] = field(default_factory=list)
    #: Fewer than ordered: only what is left in stock.
    capped: list[str] = field(default_factory=list)
    #: Not on sale any more, or sold out.
    left_out: list[str] = field(default_factory=list)


def _line_name(line: OrderLine) -> str:
    return f"{line.product_name} ({translate_unit_label(line.unit_label)})"


def buy_again(
    order: Order,
    session: MutableMapping,
    buyer: User | None,
    *,
    access_token: str | None = None,
) -> Refill:
    """Put the order's lines into the buyer's cart (the session's for a guest)."""
    ensure_buyer_of(order, buyer, access_token=access_token)
    refill = Refill()
    in_cart = carts.read_cart(session, buyer)
    for line in order.lines:
        variant = line.variant
        before = in_cart.get(variant.id, 0) if variant is not None else 0
        wanted = before + line.quantity
        # The full quantity first, then as much as the shelf still holds.
        attempts = [wanted]
        if variant is not None and before < variant.stock < wanted:
            attempts.append(variant.stock)
        put = _put(session, buyer, variant.id, attempts) if variant is not None else None
        if put is None:
            refill.left_out.append(_line_name(line))
            continue
        in_cart[variant.id] = put
        (refill.added if put == wanted else refill.capped).append(_line_name(line))
    return refill


def _put(session, buyer, variant_id: int, quantities: list[int]) -> int | None:
    """The first of `quantities` the cart accepts for the variant, or None."""
    for quantity in quantities:
        try:
            carts.set_quantity(session, buyer, variant_id, quantity)
        except DomainError:
            continue
        return quantity
    return None
