"""Paying farms what the platform collected for them by card.

Card money reaches the platform's Stripe account; an operator transfers each farm's share
to its bank account and records the transfer here as a payout. A payout never exceeds
what the farm is owed, carries the bank transfer's reference (one payout per reference and
farm, letter case aside, so a retried request or a form sent twice records the transfer
once), and every entry says who recorded it. Money that arrived for an
order already cancelled is listed apart, as a refund to make, until it is refunded.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.models import User
from app.auth.roles import Role, ensure_role
from app.errors import DomainError
from app.extensions import db
from app.i18n import format_vnd
from app.validation import clean_text, parse_vnd
from farms.models import Farm
from farms.permissions import ensure_can_manage, ensure_operator_covers, in_operator_scope
from orders.models import BankCredit, LedgerEntry, LedgerKind, Order
from orders.states import PaymentMethod, PaymentStatus
from orders.stripe_payments import farm_balance
from orders.weighed.refunds import weight_refunds_in_scope

LEDGER_KIND_LABELS = {
    LedgerKind.SALE: _l("Card payment"),
    LedgerKind.COMMISSION: _l("Platform commission"),
    LedgerKind.REFUND: _l("Refund"),
    LedgerKind.PAYOUT: _l("Payout to your bank account"),
    LedgerKind.PLATFORM_DISCOUNT: _l("Voucher paid by the platform"),
}


def ledger_kind_label(kind: str) -> str:
    return str(LEDGER_KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class FarmOwed:
    farm: Farm
    balance_vnd: int


def farms_owed(operator: User) -> list[FarmOwed]:
    """Farms of the operator's scope the platform owes money to, largest balance first (with
    their bank accounts)."""
    ensure_role(operator, Role.OPERATOR)
    balance = func.sum(LedgerEntry.amount_vnd)
    rows = db.session.execute(
        select(LedgerEntry.farm_id, balance)
        .join(Farm, LedgerEntry.farm_id == Farm.id)
        .where(in_operator_scope(operator))
        .group_by(LedgerEntry.farm_id)
        .having(balance > 0)
        .order_by(balance.desc())
    ).all()
    farms = {
        farm.id: farm
        for farm in db.session.scalars(
            select(Farm)
            .where(Farm.id.in_([farm_id for farm_id, _ in rows]))
            .options(selectinload(Farm.bank_account))
        )
    }
    return [FarmOwed(farms[farm_id], amount) for farm_id, amount in rows]


class PayoutAlreadyRecorded(DomainError):
    """The farm already has a payout with this transfer reference (`earlier`): a retried
    request, or the same transfer typed in twice."""

    def __init__(self, earlier: LedgerEntry) -> None:
        super().__init__(
            _l(
                "A payout with reference %(reference)s (%(amount)s) is already recorded for "
                "this farm; each bank transfer has its own reference.",
                reference=earlier.note,
                amount=format_vnd(-earlier.amount_vnd),
            ),
            field="reference",
        )
        self.earlier = earlier


def record_payout(farm: Farm, operator: User, amount: str, reference: str) -> LedgerEntry:
    """Record a bank transfer to the farm; refused above the farm's balance and outside the
    operator's province."""
    ensure_operator_covers(operator, farm)
    paid = parse_vnd(amount, "amount", _l("The amount paid"))
    reference = clean_text(reference, "reference", 100, _l("the transfer reference"))
    # Two operators paying the same farm at once must not both pass the balance check.
    db.session.execute(select(Farm.id).where(Farm.id == farm.id).with_for_update())
    earlier = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.farm_id == farm.id,
            LedgerEntry.kind == LedgerKind.PAYOUT.value,
            func.upper(LedgerEntry.note) == reference.upper(),
        )
    ).first()
    if earlier is not None:  # before the balance check: a retry of a full payout owes 0
        raise PayoutAlreadyRecorded(earlier)
    owed = farm_balance(farm)
    if paid > owed:
        raise DomainError(
            _l(
                "The farm is owed %(owed)s; a payout cannot be larger.",
                owed=format_vnd(owed),
            ),
            field="amount",
        )
    entry = LedgerEntry(
        farm_id=farm.id,
        kind=LedgerKind.PAYOUT.value,
        amount_vnd=-paid,
        note=reference,
        recorded_by_id=operator.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def statement(farm: Farm, actor: User, limit: int = 50) -> list[LedgerEntry]:
    """The farm's latest ledger entries, newest first, for the farm and operators."""
    ensure_can_manage(actor, farm)
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.farm_id == farm.id)
            .options(selectinload(LedgerEntry.recorded_by))
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(limit)
        )
    )


def recent_payouts(operator: User, limit: int = 20) -> list[LedgerEntry]:
    ensure_role(operator, Role.OPERATOR)
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .join(LedgerEntry.farm)
            .where(LedgerEntry.kind == LedgerKind.PAYOUT, in_operator_scope(operator))
            .options(contains_eager(LedgerEntry.farm), selectinload(LedgerEntry.recorded_by))
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class RefundDue:
    order: Order
    #: What the buyer sent: a card payment is the order's total; transfers are what the bank
    #: notified for the order (one of 100,000 đ for a 390,000 đ order owes 100,000 đ back).
    amount_vnd: int
    #: Weighed goods: only the difference of a lighter prepaid box (orders.weighed).
    weight_difference: bool = False


#: Bank credit outcomes where the money reached the farm's own account for that order.
_RECEIVED = ("paid", "partial", "excess", "refund_needed", "already_paid", "not_awaiting")


def refund_amounts(orders: list[Order]) -> dict[int, int]:
    """By order id, what its buyer sent and is owed back (see RefundDue)."""
    received = dict(
        db.session.execute(
            select(BankCredit.order_id, func.sum(BankCredit.amount_vnd))
            .where(
                BankCredit.order_id.in_([order.id for order in orders]),
                BankCredit.outcome.in_(_RECEIVED),
            )
            .group_by(BankCredit.order_id)
        ).all()
    )
    return {
        # A transfer the farm confirmed by hand has no notification: its total came in.
        order.id: (
            received.get(order.id, order.total_vnd)
            if order.payment_method == PaymentMethod.BANK_TRANSFER
            else order.total_vnd
        )
        # Weighed goods: a lighter box's difference already given back is not owed twice.
        - _weight_refunded(order)
        for order in orders
    }


def _weight_refunded(order: Order) -> int:
    return -order.weight_adjustment_vnd if order.weight_refunded_at is not None else 0


def refunds_needed(operator: User) -> list[RefundDue]:
    """Orders paid after their cancellation, oldest first: the buyer must get the money back."""
    ensure_role(operator, Role.OPERATOR)
    orders = list(
        db.session.scalars(
            select(Order)
            .join(Order.farm)
            .where(Order.payment_status == PaymentStatus.REFUND_NEEDED, in_operator_scope(operator))
            .options(contains_eager(Order.farm), selectinload(Order.checkout))
            .order_by(Order.created_at, Order.id)
        )
    )
    amounts = refund_amounts(orders)
    return [RefundDue(order, amounts[order.id]) for order in orders] + [
        RefundDue(order, -order.weight_adjustment_vnd, weight_difference=True)
        for order in weight_refunds_in_scope(operator)
    ]
