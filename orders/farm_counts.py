"""How many of a farm's orders wait in each tab of its order list, counted in one statement.

The farm's dashboard shows them, and the header shows the sum of those waiting for the
farm's own action (packing, shipping, a payment to check, a refund to make) as a badge.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from app.auth.models import User
from app.auth.roles import Role, has_role
from app.extensions import db
from farms.models import Farm, FarmMember
from orders.models import Order
from orders.states import OrderStatus, PaymentStatus
from orders.weighed.refunds import weight_refund_due

#: Order states the counts look at: after these the farm has nothing left to do.
_OPEN = (OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PACKED)
#: Payment states that ask the farm to act whatever the order's state.
_TO_ACT_ON = (PaymentStatus.NEEDS_REVIEW, PaymentStatus.REFUND_NEEDED)


@dataclass
class FarmOrderCounts:
    """One farm's orders by tab of its order list (an order may be in two: a transfer of
    the wrong amount is both new and awaiting payment, and has a payment to review)."""

    new: int = 0
    awaiting_payment: int = 0
    to_pack: int = 0
    to_ship: int = 0
    to_review: int = 0
    to_refund: int = 0

    @property
    def needing_action(self) -> int:
        """What the farm itself must do next; an order waiting for the buyer's money is not."""
        return self.to_pack + self.to_ship + self.to_review + self.to_refund

    def add(self, status: str, payment_status: str, count: int, weight_refunds: int = 0) -> None:
        if status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED):
            self.new += count
        if status == OrderStatus.AWAITING_PAYMENT:
            self.awaiting_payment += count
        elif status == OrderStatus.CONFIRMED:
            self.to_pack += count
        elif status == OrderStatus.PACKED:
            self.to_ship += count
        if payment_status == PaymentStatus.NEEDS_REVIEW:
            self.to_review += count
        elif payment_status == PaymentStatus.REFUND_NEEDED:
            self.to_refund += count
        else:  # weighed goods: a lighter prepaid box's difference to give back
            self.to_refund += weight_refunds


@dataclass
class CountsByFarm:
    by_farm: dict[int, FarmOrderCounts] = field(default_factory=dict)

    def __getitem__(self, farm_id: int) -> FarmOrderCounts:
        return self.by_farm.get(farm_id) or FarmOrderCounts()

    @property
    def needing_action(self) -> int:
        return sum(counts.needing_action for counts in self.by_farm.values())


def _count(farm_ids: ColumnElement | Collection[int]) -> CountsByFarm:
    weight_refund = and_(*weight_refund_due())
    rows = db.session.execute(
        select(
            Order.farm_id,
            Order.status,
            Order.payment_status,
            func.count(),
            func.sum(case((weight_refund, 1), else_=0)),
        )
        .where(
            Order.farm_id.in_(farm_ids),
            or_(Order.status.in_(_OPEN), Order.payment_status.in_(_TO_ACT_ON), weight_refund),
        )
        .group_by(Order.farm_id, Order.status, Order.payment_status)
    )
    counts = CountsByFarm()
    for farm_id, status, payment_status, count, weight_refunds in rows:
        counts.by_farm.setdefault(farm_id, FarmOrderCounts()).add(
            status, payment_status, count, weight_refunds or 0
        )
    return counts


def order_counts(farms: Collection[Farm]) -> CountsByFarm:
    """The counts of each farm, in one statement however many farms (read-only: the pages
    that show them have already checked who may see the farms)."""
    if not farms:
        return CountsByFarm()
    return _count([farm.id for farm in farms])


def _farms_run_by(user: User):
    """The ids of the farms a person runs, and of the households of their cooperatives, as
    a subquery (so the badge costs one statement)."""
    own = select(FarmMember.farm_id).where(FarmMember.user_id == user.id)
    if not has_role(user, Role.COOP_MANAGER):
        return own
    households = select(Farm.id).where(Farm.cooperative_id.in_(own))
    return own.union(households)


def counts_for_user(user: User) -> CountsByFarm:
    """The counts of every farm the person runs, in one statement."""
    return _count(_farms_run_by(user).scalar_subquery())
