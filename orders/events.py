"""An order's history: one small function per kind of entry (Saleor's `order/events.py`).

Every entry is an append-only OrderEvent row; its `kind` column holds an OrderEventKind
value. The services record history only through these functions, so each kind always has
the same fields filled in, and the pages that read it (the buyer's timeline, the mails) can
rely on them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from orders.models import Order, OrderEvent
from orders.states import OrderStatus, PaymentStatus


class OrderEventKind(StrEnum):
    #: The order moved from one state to another (from none: it was placed).
    STATUS = "status"
    #: Its payment moved from one state to another.
    PAYMENT = "payment"
    #: A pre-order left before its date, by the farm's choice (note: that date).
    SHIPPED_EARLY = "shipped_early"
    #: A batch the order was packed from was recalled (note: the batch's code).
    RECALL = "recall"
    #: The farm recorded the actual weights of weighed lines (note: each line's estimate and
    #: weight, and the order's adjustment in đồng).
    WEIGHTS = "weights"


#: The note of the entry that opens every order's history.
PLACED = "placed"


def _record(
    order: Order,
    kind: OrderEventKind,
    *,
    actor: User | None,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str = "",
) -> OrderEvent:
    event = OrderEvent(
        kind=kind.value, from_state=from_state, to_state=to_state, actor=actor, note=note
    )
    order.events.append(event)
    return event


def order_placed(order: Order, buyer: User | None) -> OrderEvent:
    """The first entry: the state the order starts in (awaiting payment, or confirmed)."""
    return _record(
        order,
        OrderEventKind.STATUS,
        actor=buyer,
        to_state=OrderStatus(order.status).value,
        note=PLACED,
    )


def status_changed(
    order: Order, source: str, target: str, *, actor: User | None, reason: str = ""
) -> OrderEvent:
    """The order moved; actor is empty for the system (expiry, bank, Stripe)."""
    return _change(order, OrderEventKind.STATUS, OrderStatus, source, target, actor, reason)


def payment_changed(
    order: Order, source: str, target: str, *, actor: User | None, reason: str = ""
) -> OrderEvent:
    """The order's payment moved (paid, to review, to refund, refunded, failed)."""
    return _change(order, OrderEventKind.PAYMENT, PaymentStatus, source, target, actor, reason)


def _change(order, kind, states: type[StrEnum], source, target, actor, reason) -> OrderEvent:
    # A state outside the enum raises ValueError before anything is written.
    return _record(
        order,
        kind,
        actor=actor,
        from_state=states(source).value,
        to_state=states(target).value,
        note=reason,
    )


def shipped_early(order: Order, *, actor: User, on: date) -> OrderEvent:
    """The farm shipped a pre-order before `on`, the date it was sold to ship from."""
    return _record(order, OrderEventKind.SHIPPED_EARLY, actor=actor, note=on.isoformat())


def batch_recalled(order: Order, *, actor: User, batch_code: str) -> OrderEvent:
    """A batch the order received (or was packed from) was recalled."""
    return _record(order, OrderEventKind.RECALL, actor=actor, note=batch_code)


def weights_recorded(order: Order, *, actor: User, note: str) -> OrderEvent:
    """The farm weighed the order's weighed lines at packing (orders.weighed)."""
    return _record(order, OrderEventKind.WEIGHTS, actor=actor, note=note)


def paid_times(orders) -> dict[int, datetime]:
    """When each paid order of a page was last paid, by order id, in one statement (none
    when no order on the page is paid): the farm's list says "paid" with that time."""
    paid = [order.id for order in orders if order.payment_status == PaymentStatus.PAID]
    if not paid:
        return {}
    rows = db.session.execute(
        select(OrderEvent.order_id, func.max(OrderEvent.created_at))
        .where(
            OrderEvent.order_id.in_(paid),
            OrderEvent.kind == OrderEventKind.PAYMENT.value,
            OrderEvent.to_state == PaymentStatus.PAID.value,
        )
        .group_by(OrderEvent.order_id)
    )
    return {order_id: paid_at for order_id, paid_at in rows}
