"""The platform pays the farm a platform voucher's discount: the farm is paid in full.

The ledger rule, per order (sum of its LedgerEntry rows), once every step has run:

- never paid, or paid and then cancelled or refunded: 0 (orders.services._reverse_card_sale
  takes back everything the order brought, the platform's discount included);
- paid by card: total_vnd (SALE, what the buyer paid) + platform_discount_vnd
  (PLATFORM_DISCOUNT) − commission, the commission being PLATFORM_COMMISSION_PERCENT of
  total_vnd + platform_discount_vnd (the farm's full price: a platform voucher changes
  neither what the farm nets nor what the platform charges it);
- paid by transfer or in cash (the money goes to the farm): platform_discount_vnd.

A farm voucher's discount is the farm's own: it is in discount_vnd only, never the ledger.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from orders.models import LedgerEntry, LedgerKind, Order


def credit_platform_discount(order: Order) -> None:
    """Called when the order's money is in (set_payment_status to PAID), once per order."""
    if not order.platform_discount_vnd:
        return
    already = db.session.scalar(
        select(LedgerEntry.id).where(
            LedgerEntry.order_id == order.id,
            LedgerEntry.kind == LedgerKind.PLATFORM_DISCOUNT.value,
        )
    )
    if already is not None:
        return
    db.session.add(
        LedgerEntry(
            farm_id=order.farm_id,
            order_id=order.id,
            kind=LedgerKind.PLATFORM_DISCOUNT.value,
            amount_vnd=order.platform_discount_vnd,
            note=order.number,
        )
    )
    db.session.flush()
