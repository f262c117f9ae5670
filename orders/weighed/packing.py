"""Recording the actual weights at packing, and what they change (see orders.weighed).

orders.services.pack_order calls check_actual_weights before it moves the order (a refusal
changes nothing) and record_actual_weights once the move to PACKED succeeded, all under the
order's row lock in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.i18n import format_vnd
from app.validation import parse_whole_number
from orders import events
from orders.models import DeliverySettings, LedgerEntry, LedgerKind, Order, OrderLine
from orders.notifications import queue_weights_notice
from orders.states import OrderStatus, PaymentMethod, PaymentStatus
from orders.weighed.amounts import absorbed_vnd, adjustment_vnd

#: Even confirmed, a line cannot weigh more than this many times its estimate (a typo).
MAX_TIMES_ESTIMATE = 5


def weighed_lines(order: Order) -> list[OrderLine]:
    return [line for line in order.lines if line.sold_by_weight]


def grams_field(line: OrderLine) -> str:
    """The form field (and the error's field) of a line's actual weight."""
    return f"grams_{line.id}"


def check_actual_weights(
    order: Order, grams: Mapping[int, object], *, confirm_unusual: bool = False
) -> dict[int, int]:
    """Each weighed line's actual grams, by line id, or why the order cannot be packed yet.
    Reads only: nothing is written before every line is checked."""
    if order.status != OrderStatus.CONFIRMED:
        raise DomainError(_l("Order %(number)s is not waiting to be packed.", number=order.number))
    lines = weighed_lines(order)
    if set(grams) - {line.id for line in lines}:
        raise DomainError(_l("Enter weights only for the weighed lines of this order."))
    checked = {}
    for line in lines:
        field = grams_field(line)
        value = grams.get(line.id)
        if value is None or not str(value).strip():
            raise DomainError(
                _l(
                    "Weigh %(name)s and enter its actual weight in grams before packing "
                    "order %(number)s.",
                    name=line.product_name,
                    number=order.number,
                ),
                field=field,
            )
        estimate = line.estimated_grams
        actual = parse_whole_number(
            value,
            field,
            _l("the weight of %(name)s", name=line.product_name),
            minimum=1,
            maximum=estimate * MAX_TIMES_ESTIMATE,
        )
        usual = 2 * actual >= estimate and actual <= 2 * estimate
        if not usual and not confirm_unusual:
            raise DomainError(
                _l(
                    "%(name)s weighs %(actual)s g, far from its estimate of %(estimate)s g. "
                    "Check the scale; if the weight is right, tick “The weights are right”.",
                    name=line.product_name,
                    actual=format_decimal(actual),
                    estimate=format_decimal(estimate),
                ),
                field=field,
            )
        checked[line.id] = actual
    return checked


def record_actual_weights(order: Order, actor: User, checked: Mapping[int, int]) -> None:
    """Write the weights, the order's adjustment and what the farm absorbs, the history, the
    ledger's refund for a lighter card box, and queue the buyer's message."""
    lines = weighed_lines(order)
    for line in lines:
        line.actual_grams = checked[line.id]
    # A voucher bigger than the lighter box's items covers them all: the buyer is owed back
    # at most what was paid for the items, and the final total never drops below delivery.
    adjustment = max(adjustment_vnd(order.lines), order.discount_vnd - order.subtotal_vnd)
    order.weight_adjustment_vnd = adjustment
    order.weight_absorbed_vnd = absorbed_vnd(order, adjustment, _absorb_limit(order))
    events.weights_recorded(order, actor=actor, note=_history_note(lines, adjustment))
    if (
        adjustment < 0
        and order.payment_method == PaymentMethod.STRIPE
        and order.payment_status == PaymentStatus.PAID
    ):
        # The platform holds the card money: what is due back is not the farm's to be paid.
        db.session.add(
            LedgerEntry(
                farm_id=order.farm_id,
                order_id=order.id,
                kind=LedgerKind.REFUND.value,
                amount_vnd=adjustment,
                note=f"{order.number}: lighter than estimated",
            )
        )
    db.session.flush()
    queue_weights_notice(order)


def _absorb_limit(order: Order) -> int:
    limit = db.session.scalar(
        select(DeliverySettings.underpayment_absorb_limit_vnd).where(
            DeliverySettings.farm_id == order.farm_id
        )
    )
    return limit or 0


def _history_note(lines: list[OrderLine], adjustment: int) -> str:
    weights = "; ".join(
        f"{line.product_name[:60]}: {line.estimated_grams} g → {line.actual_grams} g"
        for line in lines
    )
    return f"{weights}; {format_vnd(adjustment)}"
