"""A demo group offer (mua chung): the first fruit on sale (not the tea, which the group
buying journey offers itself) for five buyers within a day, opened by its farm through the
same service a farm uses. Loaded only while the demo has none."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from orders.group_buying.models import GroupOffer
from orders.group_buying.services import open_offer
from products.models import Product, ProductStatus

#: The tea the browser journey (tests/e2e/test_group_buying_journey.py) puts on offer.
LEFT_TO_THE_JOURNEY = "Chè"


def seed_demo_group_offer() -> None:
    if db.session.scalar(select(GroupOffer.id).limit(1)) is not None:
        return
    product = db.session.scalar(
        select(Product)
        .where(
            Product.status == ProductStatus.PUBLISHED,
            Product.sale_stopped_at.is_(None),
            Product.name.not_like(f"{LEFT_TO_THE_JOURNEY}%"),
        )
        .order_by(Product.id)
    )
    if product is None:
        return
    variant = product.variants[0]
    now = utcnow()
    open_offer(
        variant,
        product.farm.members[0].user,
        # About a fifth off, in whole thousands of đồng.
        group_price_vnd=str(variant.price_vnd * 4 // 5 // 1000 * 1000),
        goal="buyers",
        min_count="5",
        deadline=now + timedelta(hours=24),
        now=now,
    )
    db.session.flush()
