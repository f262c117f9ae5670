"""Who received a recalled batch: every order line packed from it, with the buyer's contact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.extensions import db
from farms.permissions import ensure_can_manage
from orders.models import Checkout, Order, OrderLine
from traceability.models import Batch, BatchAllocation


@dataclass(frozen=True)
class Receiver:
    order: Order
    checkout: Checkout
    product_name: str
    quantity: int


def receivers(batch: Batch, actor: User) -> list[Receiver]:
    """For the farm and operators: each order that received units of the batch."""
    ensure_can_manage(actor, batch.farm)
    rows = db.session.execute(
        select(BatchAllocation, OrderLine, Order)
        .join(OrderLine, OrderLine.id == BatchAllocation.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(BatchAllocation.batch_id == batch.id)
        .options(joinedload(Order.checkout))
        .order_by(Order.created_at)
    ).all()
    return [
        Receiver(order, order.checkout, line.product_name, allocation.quantity)
        for allocation, line, order in rows
    ]
