"""The differences of lighter prepaid boxes, owed back to their buyers until recorded as
refunded (see orders.weighed). A card difference left the farm's balance when the weights
were recorded (a ledger REFUND), so recording its refund writes no ledger entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.models import User
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.i18n import format_vnd
from farms.models import Farm
from farms.permissions import ensure_can_manage, in_operator_scope
from orders import events
from orders.models import Order
from orders.states import PaymentMethod, PaymentStatus
from orders.weighed.amounts import settlement


def weight_refund_due():
    """Prepaid, still paid (a cancelled order's whole refund covers its difference), lighter,
    not yet refunded (orders.farm_counts counts them among the refunds to make)."""
    return (
        Order.payment_method != PaymentMethod.CASH_ON_DELIVERY,
        Order.payment_status == PaymentStatus.PAID,
        Order.weight_adjustment_vnd < 0,
        Order.weight_refunded_at.is_(None),
    )


def weight_refunds_for_farm(farm: Farm, actor: User) -> list[Order]:
    ensure_can_manage(actor, farm)
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.farm_id == farm.id, *weight_refund_due())
            .options(selectinload(Order.checkout))
            .order_by(Order.created_at, Order.id)
        )
    )


def weight_refunds_in_scope(operator: User) -> list[Order]:
    """For orders.payouts.refunds_needed (which checks the operator's role)."""
    return list(
        db.session.scalars(
            select(Order)
            .join(Order.farm)
            .where(in_operator_scope(operator), *weight_refund_due())
            .options(contains_eager(Order.farm), selectinload(Order.checkout))
            .order_by(Order.created_at, Order.id)
        )
    )


def record_weight_refund(order: Order, actor: User) -> None:
    """The farm gave the buyer back the difference of a lighter box: recorded once (a second
    tap, or two people at once, finds it recorded and changes nothing)."""
    ensure_can_manage(actor, order.farm)
    due = settlement(order).refund_due_vnd
    if due <= 0 or order.payment_status != PaymentStatus.PAID:
        raise DomainError(
            _l("Order %(number)s owes its buyer no weight difference.", number=order.number)
        )
    changed = db.session.execute(
        update(Order)
        .where(Order.id == order.id, *weight_refund_due())
        .values(weight_refunded_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(order)
    if changed != 1:
        raise DomainError(
            _l("The difference of order %(number)s is already refunded.", number=order.number)
        )
    events.weights_recorded(order, actor=actor, note=f"refunded {format_vnd(due)}")
    db.session.flush()
