"""The batch a reviewed order line came from, told to orders.reviews (which may not import
traceability): the one its allocations give the most units, the oldest on a tie."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from traceability.models import BatchAllocation


def main_batch_of_line(line_id: int) -> int | None:
    return db.session.scalar(
        select(BatchAllocation.batch_id)
        .where(BatchAllocation.order_line_id == line_id)
        .order_by(BatchAllocation.quantity.desc(), BatchAllocation.batch_id)
        .limit(1)
    )
