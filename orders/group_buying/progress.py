"""How many joined each group offer: its orders that are not cancelled, counted as distinct
buyers (the checkout's phone, which one buyer may use once per offer) or as boxes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from app.extensions import db
from orders.group_buying.models import GroupGoal, GroupOffer, GroupOfferStatus
from orders.models import Checkout, Order, OrderLine
from orders.states import OrderStatus

#: Orders that no longer count: cancelled (a buyer, the farm, an expiry) or refunded after.
NOT_JOINED = (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value)


@dataclass(frozen=True)
class Progress:
    offer: GroupOffer
    buyers: int = 0
    boxes: int = 0

    @property
    def joined(self) -> int:
        return self.boxes if self.offer.goal == GroupGoal.BOXES else self.buyers

    @property
    def reached(self) -> bool:
        return self.joined >= self.offer.min_count

    @property
    def boxes_left(self) -> int:
        return max(self.offer.max_boxes - self.boxes, 0)

    @property
    def is_open(self) -> bool:
        return self.offer.status == GroupOfferStatus.OPEN


def joined_counts(offer_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(buyers, boxes) by offer id, in one statement; offers nobody joined are left out."""
    if not offer_ids:
        return {}
    rows = db.session.execute(
        select(
            Order.group_offer_id,
            func.count(distinct(Checkout.contact_phone)),
            func.coalesce(func.sum(OrderLine.quantity), 0),
        )
        .join(Checkout, Order.checkout_id == Checkout.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.group_offer_id.in_(offer_ids), Order.status.not_in(NOT_JOINED))
        .group_by(Order.group_offer_id)
    )
    return {offer_id: (buyers, boxes) for offer_id, buyers, boxes in rows}


def progress_of(offers: list[GroupOffer]) -> list[Progress]:
    counts = joined_counts([offer.id for offer in offers])
    return [Progress(offer, *counts.get(offer.id, (0, 0))) for offer in offers]


def group_waits(orders: list[Order]) -> dict[int, Progress]:
    """Each group order's offer and its progress, by order id, for the order pages (two
    statements whatever the number of orders; none when no order joined a group)."""
    offer_ids = {order.group_offer_id for order in orders if order.group_offer_id}
    if not offer_ids:
        return {}
    offers = db.session.scalars(select(GroupOffer).where(GroupOffer.id.in_(offer_ids))).all()
    by_id = {progress.offer.id: progress for progress in progress_of(list(offers))}
    return {
        order.id: by_id[order.group_offer_id] for order in orders if order.group_offer_id in by_id
    }
