"""Taking a voucher's use at place and giving it back at cancellation, each exactly once.

A checkout takes one use: `UPDATE voucher SET used_count = used_count + 1 WHERE id = … AND
used_count < total_uses` inside place_order's transaction, so fifty buyers racing for ten
uses get exactly ten (the database runs the updates one after the other). On PostgreSQL
that update also holds the voucher's row lock until the checkout commits, so the same
buyer's other checkout waits, then counts this one against uses_per_buyer. A cancelled
order releases its redemption with a compare-and-set on released_at; the use goes back
when the checkout has no redemption of the voucher left.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from orders.models import Checkout, Order
from orders.vouchers.models import Voucher, VoucherRedemption
from orders.vouchers.rules import AppliedVoucher, VoucherRefused, check_buyer


def _take_use(voucher_id: int) -> bool:
    return (
        db.session.execute(
            update(Voucher)
            .where(Voucher.id == voucher_id, Voucher.used_count < Voucher.total_uses)
            .values(used_count=Voucher.used_count + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def redeem(applied: AppliedVoucher, checkout: Checkout, buyer: User) -> None:
    """Take the voucher's use for the placed checkout (its orders flushed), or refuse it
    all: the caller rolls the checkout back."""
    voucher = applied.voucher
    if not _take_use(voucher.id):
        raise VoucherRefused(_l("Voucher %(code)s has been used up.", code=voucher.code))
    # The row lock is ours now: the buyer's own other checkouts are counted as committed.
    check_buyer(voucher, buyer, excluding_checkout=checkout.id)
    for order in checkout.orders:
        if order.discount_vnd:
            db.session.add(
                VoucherRedemption(
                    voucher_id=voucher.id,
                    order_id=order.id,
                    checkout_id=checkout.id,
                    buyer_id=buyer.id,
                    amount_vnd=order.discount_vnd,
                )
            )
    db.session.expire(voucher, ["used_count"])
    db.session.flush()


def release(order: Order) -> bool:
    """A cancelled order gives back its part of a voucher; the checkout's use goes back with
    its last part. True only for the one caller that released it."""
    voucher_id = db.session.scalar(
        select(VoucherRedemption.voucher_id).where(VoucherRedemption.order_id == order.id)
    )
    if voucher_id is None:
        return False
    # Lock the voucher first: two orders of one checkout cancelled at once must not both
    # see the other's part still held (and neither give the use back).
    db.session.execute(select(Voucher.id).where(Voucher.id == voucher_id).with_for_update())
    released = db.session.execute(
        update(VoucherRedemption)
        .where(VoucherRedemption.order_id == order.id, VoucherRedemption.released_at.is_(None))
        .values(released_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if released != 1:
        return False
    still_held = db.session.scalar(
        select(func.count(VoucherRedemption.id)).where(
            VoucherRedemption.voucher_id == voucher_id,
            VoucherRedemption.checkout_id == order.checkout_id,
            VoucherRedemption.released_at.is_(None),
        )
    )
    if not still_held:
        db.session.execute(
            update(Voucher)
            .where(Voucher.id == voucher_id, Voucher.used_count > 0)
            .values(used_count=Voucher.used_count - 1)
            .execution_options(synchronize_session=False)
        )
    return True


def redemptions_of(orders: list[Order]) -> dict[int, VoucherRedemption]:
    """By order id, the voucher each order used (one statement, for order pages)."""
    if not orders:
        return {}
    rows = db.session.scalars(
        select(VoucherRedemption)
        .where(VoucherRedemption.order_id.in_([order.id for order in orders]))
        .options(joinedload(VoucherRedemption.voucher))
    )
    return {row.order_id: row for row in rows}
