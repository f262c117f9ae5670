"""The ledger checked against the orders: for every order, its ledger entries add up to what
the order's own columns say the platform owes its farm for it.

The rules come from the steps that write the ledger (orders.stripe_payments,
orders.vouchers.ledger, orders.weighed, orders.services._reverse_card_sale):

- not paid, cancelled or refunded (whatever was paid goes back to the buyer): all its
  entries, commission included, add up to 0;
- paid by card: its entries other than the commission add up to the farm's full price
  (total_vnd + platform_discount_vnd) less the difference of a lighter weighed box that is
  due back to the buyer;
- paid by transfer or in cash (the money went to the farm itself): platform_discount_vnd, the
  part of a platform voucher the platform bears.

The commission is left out of a paid order's check because its percent is the one of the
day the order was paid (the Stripe tests check it). Entries without an order are payouts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.extensions import db
from orders.models import LedgerEntry, LedgerKind, Order
from orders.states import OrderStatus, PaymentMethod, PaymentStatus

#: Orders whose money, if any came, belongs to the buyer again.
_GIVEN_BACK = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})


@dataclass(frozen=True)
class LedgerMismatch:
    order_number: str
    expected_vnd: int
    recorded_vnd: int


def _is_kept(order: Order) -> bool:
    """The order is paid and its money stays with the farm."""
    return order.status not in _GIVEN_BACK and order.payment_status == PaymentStatus.PAID


def expected_ledger_vnd(order: Order) -> int:
    """What the order's entries add up to by its own columns (see the module)."""
    if not _is_kept(order):
        return 0
    if order.payment_method != PaymentMethod.STRIPE:
        return order.platform_discount_vnd
    lighter_box_due = max(-order.weight_adjustment_vnd, 0)
    return order.total_vnd + order.platform_discount_vnd - lighter_box_due


def ledger_mismatches() -> list[LedgerMismatch]:
    """Every order whose entries differ from what its columns say, and entries without an
    order that are not payouts (under the order number "-")."""
    commission = LedgerEntry.kind == LedgerKind.COMMISSION
    sums = {
        order_id: (every, without_commission)
        for order_id, every, without_commission in db.session.execute(
            select(
                LedgerEntry.order_id,
                func.sum(LedgerEntry.amount_vnd),
                func.sum(case((commission, 0), else_=LedgerEntry.amount_vnd)),
            )
            .where(LedgerEntry.order_id.is_not(None))
            .group_by(LedgerEntry.order_id)
        )
    }
    mismatches = []
    orders = select(Order).order_by(Order.id).execution_options(yield_per=1000)
    for order in db.session.scalars(orders):
        every, without_commission = sums.get(order.id, (0, 0))
        recorded = without_commission if _is_kept(order) else every
        expected = expected_ledger_vnd(order)
        if recorded != expected:
            mismatches.append(LedgerMismatch(order.number, expected, recorded))
    stray = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_vnd), 0)).where(
            LedgerEntry.order_id.is_(None), LedgerEntry.kind != LedgerKind.PAYOUT
        )
    )
    if stray:
        mismatches.append(LedgerMismatch("-", 0, stray))
    return mismatches
