"""Taking and giving back stock with conditional UPDATEs, never read-then-write.

Two buyers racing for the last box both send "take 1 where stock >= 1"; the database runs
them one after the other and only one row changes, on SQLite and PostgreSQL alike, with any
number of worker processes.
"""

from __future__ import annotations

from sqlalchemy import update

from app.db import utcnow
from app.extensions import db
from orders.models import Order
from products.models import Product, Variant


def take_stock(variant_id: int, quantity: int) -> bool:
    """Take `quantity` units if that many are on hand; False (and nothing changed) if not."""
    result = db.session.execute(
        update(Variant)
        .where(Variant.id == variant_id, Variant.stock >= quantity)
        .values(stock=Variant.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def take_preorder_capacity(product_id: int, quantity: int) -> bool:
    result = db.session.execute(
        update(Product)
        .where(
            Product.id == product_id,
            Product.preorder_taken + quantity <= Product.preorder_capacity,
        )
        .values(preorder_taken=Product.preorder_taken + quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def give_back_stock(variant_id: int, quantity: int) -> None:
    db.session.execute(
        update(Variant)
        .where(Variant.id == variant_id)
        .values(stock=Variant.stock + quantity)
        .execution_options(synchronize_session=False)
    )


def give_back_preorder_capacity(product_id: int, quantity: int) -> None:
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(preorder_taken=Product.preorder_taken - quantity)
        .execution_options(synchronize_session=False)
    )


def claim_release(order_id: int) -> bool:
    """Mark an order's stock as released; True only for the one caller that did it first."""
    result = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.stock_released_at.is_(None))
        .values(stock_released_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
