"""Demo reviews: each delivered demo order line gets its buyer's review and the farm's reply,
written through the same services a buyer and a farm use; a line already reviewed is left."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from orders.models import Checkout, Order, OrderLine
from orders.reviews import services
from orders.reviews.services import REVIEWABLE

REVIEW = "Chè thơm, nước xanh, vị ngọt hậu. Đóng gói cẩn thận, giao đúng hẹn."
REPLY = "Cảm ơn chị đã tin dùng chè của vườn! Hẹn gặp lại chị vụ sau."


def seed_demo_reviews() -> None:
    lines = db.session.scalars(
        select(OrderLine)
        .join(Order)
        .join(Checkout)
        .where(Order.status.in_(REVIEWABLE), Checkout.buyer_id.is_not(None))
        .order_by(OrderLine.id)
    )
    for line in lines:
        if services.review_of_line(line.id) is not None or line.variant_id is None:
            continue
        review = services.write_review(line, line.order.checkout.buyer, stars=5, text=REVIEW)
        services.reply(review, line.order.farm.members[0].user, REPLY)
    db.session.flush()
