"""A recall's consequences beyond the batch: who received it, the product's sale stop, the
orders packed from it that must not ship, and the mail to the buyers who have it (sent after
the recall commits)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from app.webhooks import EventType, publish, rfc3339
from farms.permissions import ensure_can_manage
from orders import events, notifications
from orders.models import Checkout, Order, OrderLine
from orders.states import OrderStatus
from products.models import Product
from products.sale_stop import record_recall
from products.seasons import season_window
from traceability.models import Batch, BatchAllocation, BatchStatus

#: Orders whose boxes left the farm: their buyers have (or will have) the produce.
RECEIVED = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
#: Orders packed from the batch that are still at the farm: they must not ship.
AT_THE_FARM = (OrderStatus.PACKED,)


def _left_the_farm(order: Order) -> bool:
    """The buyer has (or will have) the produce: shipped, or refunded after it shipped."""
    return order.status in RECEIVED or (
        order.status == OrderStatus.REFUNDED and order.carrier is not None
    )


@dataclass(frozen=True)
class Receiver:
    order: Order
    checkout: Checkout
    product_name: str
    quantity: int


def receivers(batch: Batch, actor: User) -> list[Receiver]:
    """For the farm and operators: each order that received units of the batch."""
    ensure_can_manage(actor, batch.farm)
    return _receivers(batch)


def _receivers(batch: Batch) -> list[Receiver]:
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


def _has_other_source(batch: Batch) -> bool:
    """Whether the product has a harvested batch of the current season that is neither
    recalled nor sold out: what packing may offer (traceability.allocation). A batch still
    growing, or last season's left open, does not count: nothing sold now comes from it."""
    others = db.session.scalars(
        select(Batch).where(
            Batch.product_id == batch.product_id,
            Batch.id != batch.id,
            Batch.recalled_at.is_(None),
            Batch.status.in_([BatchStatus.HARVESTED.value, BatchStatus.PACKED.value]),
        )
    )
    window = season_window(batch.product, local_today())
    if window is None:
        return any(True for _ in others)
    opens, closes = window
    return any(b.harvested_on is not None and opens <= b.harvested_on <= closes for b in others)


def stop_sales_and_hold_orders(batch: Batch, actor: User) -> int:
    """Called by services.recall_batch, in its transaction, once the batch is recalled.

    Each buyer whose order left the farm with the batch is told once the recall commits, in
    their language, on every channel there is an address for (e-mail, Zalo, SMS). Returns how
    many buyers are told."""
    # Locked as create_batch locks it: a new batch and a recall cannot cross.
    db.session.execute(select(Product.id).where(Product.id == batch.product_id).with_for_update())
    record_recall(
        batch.product,
        batch_code=batch.code,
        reason=batch.recall_reason or "",
        when=batch.recalled_at,
        stop_sale=not _has_other_source(batch),
    )
    seen: set[int] = set()
    told = held = 0
    for receiver in _receivers(batch):
        order = receiver.order
        if order.id in seen or not (order.status in AT_THE_FARM or _left_the_farm(order)):
            continue
        seen.add(order.id)
        if order.status in AT_THE_FARM:
            order.recall_hold = batch.code
            held += 1
        else:
            told += notifications.queue_recall_notice(
                order,
                batch_code=batch.code,
                product_name=receiver.product_name,
                reason=batch.recall_reason or "",
            )
        events.batch_recalled(order, actor=actor, batch_code=batch.code)
    db.session.flush()
    _announce(batch, held=held)
    return told


def _announce(batch: Batch, *, held: int) -> None:
    """batch.recalled to the farm's and its province operators' webhook endpoints."""
    data = {
        "batch": {
            "id": batch.id,
            "code": batch.code,
            "farm_id": batch.farm_id,
            "product_id": batch.product_id,
            "product_name": batch.product.name,
            "harvested_on": batch.harvested_on.isoformat() if batch.harvested_on else None,
            "recalled_at": rfc3339(batch.recalled_at),
            "reason": batch.recall_reason or "",
        },
        "orders_held": held,
    }
    publish(
        EventType.BATCH_RECALLED,
        data,
        farm_id=batch.farm_id,
        province_code=batch.farm.province_code,
    )
