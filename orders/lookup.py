"""A guest finds an order again by the phone number and the order number on it.

Knowing both shows that one order's progress, read-only: its farm, lines, state and tracking,
never the address, the other farms' orders of the same checkout, or the checkout's link (with
which orders can be cancelled). A farm knows its buyers' phones and its own order numbers,
and a number guessed for a known phone must not open someone's checkout. The link itself
goes, on request, only to the phone (and e-mail) given at checkout.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identifiers import InvalidIdentifier, normalize_phone
from app.extensions import db
from orders.models import Checkout, Order
from orders.notifications import queue_order_link

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


def find_order(phone: str | None, number: str | None) -> Order | None:
    """Order `number` if it was placed with this phone (compared in E.164), or None: an
    unknown number and a phone that does not match look alike to the caller."""
    wanted = order_number(number)
    try:
        e164 = normalize_phone(phone or "")
    except InvalidIdentifier:
        return None
    if wanted is None:
        return None
    return db.session.scalar(
        select(Order)
        .join(Checkout, Order.checkout_id == Checkout.id)
        .where(Order.number == wanted, Checkout.contact_phone == e164)
    )


def send_order_link(order: Order) -> None:
    """Send the checkout's link to the contacts given with it (queued in the outbox)."""
    queue_order_link(order.checkout)
