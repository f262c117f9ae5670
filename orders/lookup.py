"""A guest finds an order again by the phone number and the order number on it."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identifiers import InvalidIdentifier, normalize_phone
from app.extensions import db
from orders.models import Checkout, Order

#: Order numbers are "NS" and the order's id, at least six digits (orders.services).
_PREFIX = "NS"
_MAX_DIGITS = 10


def order_number(raw: str | None) -> str | None:
    """ "NS000123" as people copy it: "ns 000123", "NS123", "123"; None when it cannot be one."""
    text = "".join((raw or "").split()).upper().replace("-", "")
    digits = text.removeprefix(_PREFIX)
    if not digits or len(digits) > _MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return f"{_PREFIX}{int(digits):06d}"


def find_checkout(phone: str | None, number: str | None) -> Checkout | None:
    """The checkout holding order `number` placed with this phone (compared in E.164), or
    None: an unknown number and a phone that does not match look alike to the caller."""
    wanted = order_number(number)
    try:
        e164 = normalize_phone(phone or "")
    except InvalidIdentifier:
        return None
    if wanted is None:
        return None
    return db.session.scalar(
        select(Checkout)
        .join(Order, Order.checkout_id == Checkout.id)
        .where(Order.number == wanted, Checkout.contact_phone == e164)
    )
