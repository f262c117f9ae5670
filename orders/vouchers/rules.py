"""What a voucher code takes off a checkout's farm quotes, or why it is refused.

Checked when the buyer reviews the order and again when it is placed (place_order), where
orders.vouchers.redemption then takes the use for good. The discount is on the items only,
never on delivery, and never more than the items it applies to:

- a farm voucher discounts that farm's lines (or only the products it names);
- a platform voucher discounts every farm's lines and is spread over the checkout's farm
  orders in proportion to their subtotals, in whole đồng rounded down, the đồng left over
  going to the largest order (the first of equal ones) while it has room.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, distinct, func, select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.i18n import format_local_datetime, format_vnd
from orders.models import Checkout, Order
from orders.states import OrderStatus
from orders.vouchers.models import Voucher, VoucherKind, VoucherRedemption

if TYPE_CHECKING:
    from orders.services import FarmQuote

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,29}$")


class VoucherRefused(DomainError):
    """The code does not apply to this checkout; the message says why."""

    def __init__(self, message):
        super().__init__(message, field="voucher_code")


@dataclass(frozen=True)
class AppliedVoucher:
    voucher: Voucher
    #: The discount on each farm's order, by farm id (farms without one are left out).
    shares: dict[int, int]

    @property
    def total_vnd(self) -> int:
        return sum(self.shares.values())


def clean_code(text: str | None) -> str:
    """A code as stored: trimmed and upper-case (buyers type it in any case)."""
    return (text or "").strip().upper()[:40]


def find_voucher(code: str, farm_ids: list[int], now: datetime) -> Voucher | None:
    """The voucher a buyer means by `code` for these farms: a running one before a disabled,
    ended or used-up one, a farm's own before the platform's, the newest first."""
    return db.session.scalar(
        select(Voucher)
        .where(
            Voucher.code == code,
            (Voucher.farm_id.in_(farm_ids)) | Voucher.farm_id.is_(None),
        )
        .order_by(
            Voucher.active.desc(),
            case((Voucher.ends_at > now, 0), else_=1),
            case((Voucher.used_count < Voucher.total_uses, 0), else_=1),
            case((Voucher.farm_id.is_(None), 1), else_=0),
            Voucher.id.desc(),
        )
        .limit(1)
    )


def buyer_uses(voucher: Voucher, buyer: User, *, excluding_checkout: int | None = None) -> int:
    """Checkouts of the buyer that hold a use of the voucher (not given back)."""
    statement = select(func.count(distinct(VoucherRedemption.checkout_id))).where(
        VoucherRedemption.voucher_id == voucher.id,
        VoucherRedemption.buyer_id == buyer.id,
        VoucherRedemption.released_at.is_(None),
    )
    if excluding_checkout is not None:
        statement = statement.where(VoucherRedemption.checkout_id != excluding_checkout)
    return db.session.scalar(statement)


def has_earlier_order(voucher: Voucher, buyer: User, *, excluding_checkout: int | None) -> bool:
    """An order of the buyer that was not cancelled: with the voucher's farm, or any farm
    for a platform voucher."""
    statement = (
        select(Order.id)
        .join(Order.checkout)
        .where(Checkout.buyer_id == buyer.id, Order.status != OrderStatus.CANCELLED)
    )
    if voucher.farm_id is not None:
        statement = statement.where(Order.farm_id == voucher.farm_id)
    if excluding_checkout is not None:
        statement = statement.where(Order.checkout_id != excluding_checkout)
    return db.session.scalar(statement.limit(1)) is not None


def check_buyer(voucher: Voucher, buyer: User, *, excluding_checkout: int | None = None) -> None:
    """The per-buyer limit and the first-order rule."""
    if buyer_uses(voucher, buyer, excluding_checkout=excluding_checkout) >= voucher.uses_per_buyer:
        raise VoucherRefused(_l("You have already used voucher %(code)s.", code=voucher.code))
    if voucher.first_order_only and has_earlier_order(
        voucher, buyer, excluding_checkout=excluding_checkout
    ):
        raise VoucherRefused(
            _l("Voucher %(code)s is for a first order only.", code=voucher.code)
            if voucher.farm_id is None
            else _l(
                "Voucher %(code)s is for a first order from %(farm)s only.",
                code=voucher.code,
                farm=voucher.farm.name,
            )
        )


def _check_window(voucher: Voucher, now: datetime) -> None:
    if not voucher.active:
        raise VoucherRefused(_l("Voucher %(code)s is no longer valid.", code=voucher.code))
    if now < voucher.starts_at:
        raise VoucherRefused(
            _l(
                "Voucher %(code)s starts on %(when)s.",
                code=voucher.code,
                when=format_local_datetime(voucher.starts_at, "HH:mm dd/MM/yyyy"),
            )
        )
    if now >= voucher.ends_at:
        raise VoucherRefused(_l("Voucher %(code)s has expired.", code=voucher.code))
    if voucher.used_count >= voucher.total_uses:
        raise VoucherRefused(_l("Voucher %(code)s has been used up.", code=voucher.code))


def _eligible(voucher: Voucher, quotes: list[FarmQuote]) -> dict[int, int]:
    """By farm id, what the voucher's lines cost in each quote."""
    product_ids = {product.id for product in voucher.products}
    eligible = {}
    for farm_quote in quotes:
        if voucher.farm_id is not None and farm_quote.farm.id != voucher.farm_id:
            continue
        amount = sum(
            variant.price_vnd * quantity
            for variant, quantity in farm_quote.lines
            if not product_ids or variant.product_id in product_ids
        )
        if amount:
            eligible[farm_quote.farm.id] = amount
    return eligible


def discount_for(voucher: Voucher, eligible_vnd: int) -> int:
    """The discount on items costing `eligible_vnd`: never more than they cost."""
    if voucher.kind == VoucherKind.PERCENT:
        amount = eligible_vnd * voucher.value // 100
        if voucher.max_discount_vnd is not None:
            amount = min(amount, voucher.max_discount_vnd)
    else:
        amount = voucher.value
    return min(amount, eligible_vnd)


def spread(discount: int, eligible: dict[int, int]) -> dict[int, int]:
    """Split a discount over orders in proportion to what each spends (see the docstring)."""
    total = sum(eligible.values())
    shares = {key: discount * amount // total for key, amount in eligible.items()}
    left = discount - sum(shares.values())
    for key in sorted(eligible, key=lambda k: -eligible[k]):  # stable: first of equal ones
        extra = min(left, eligible[key] - shares[key])
        shares[key] += extra
        left -= extra
    return {key: share for key, share in shares.items() if share}


def apply_code(
    quotes: list[FarmQuote], code: str | None, *, buyer: User | None, now: datetime
) -> AppliedVoucher:
    """Check `code` against the checkout and write each quote's discount, or refuse."""
    code = clean_code(code)
    if buyer is None:
        raise VoucherRefused(_l("Sign in to use a voucher."))
    voucher = (
        find_voucher(code, [q.farm.id for q in quotes], now) if CODE_PATTERN.match(code) else None
    )
    if voucher is None:
        raise VoucherRefused(_l("There is no voucher %(code)s for these products.", code=code))
    _check_window(voucher, now)
    check_buyer(voucher, buyer)
    eligible = _eligible(voucher, quotes)
    if not eligible:
        raise VoucherRefused(_l("Voucher %(code)s is not for these products.", code=voucher.code))
    spent = sum(eligible.values())
    if spent < voucher.min_spend_vnd:
        raise VoucherRefused(
            _l(
                "Voucher %(code)s needs %(minimum)s of its products: add %(missing)s more.",
                code=voucher.code,
                minimum=format_vnd(voucher.min_spend_vnd),
                missing=format_vnd(voucher.min_spend_vnd - spent),
            )
        )
    shares = spread(discount_for(voucher, spent), eligible)
    for farm_quote in quotes:
        farm_quote.discount_vnd = shares.get(farm_quote.farm.id, 0)
        farm_quote.platform_discount_vnd = farm_quote.discount_vnd if voucher.is_platform else 0
        farm_quote.voucher_code = voucher.code if farm_quote.discount_vnd else None
    return AppliedVoucher(voucher, shares)
