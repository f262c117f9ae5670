"""A voucher, the products a farm voucher is limited to, and each order that used one."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import VIETNAM
from app.db import UTCDateTime, utcnow
from app.extensions import db
from farms.models import Farm
from products.models import Product


class VoucherKind(StrEnum):
    #: `value` percent of the eligible items (1–100), optionally capped at max_discount_vnd.
    PERCENT = "percent"
    #: `value` đồng off, never more than the eligible items cost.
    FIXED = "fixed"


voucher_product = Table(
    "voucher_product",
    db.metadata,
    Column("voucher_id", ForeignKey("voucher.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)


class Voucher(db.Model):
    """A code for a discount, issued by a farm (on its own lines) or by the platform (farm_id
    empty: on every farm's lines, its cost borne by the platform)."""

    __tablename__ = "voucher"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'fixed')", name="known_kind"),
        CheckConstraint(
            "(kind = 'percent' AND value BETWEEN 1 AND 100) OR (kind = 'fixed' AND value > 0)",
            name="value_in_range",
        ),
        CheckConstraint("max_discount_vnd IS NULL OR max_discount_vnd > 0", name="cap_positive"),
        CheckConstraint("min_spend_vnd >= 0", name="min_spend_not_negative"),
        CheckConstraint("total_uses > 0 AND uses_per_buyer > 0", name="uses_positive"),
        CheckConstraint("used_count >= 0 AND used_count <= total_uses", name="used_in_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored upper-case: buyers type it in any case.
    code: Mapped[str] = mapped_column(String(30), index=True)
    #: The issuing farm; empty for a platform voucher.
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farm.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: A percentage (PERCENT) or đồng (FIXED).
    value: Mapped[int]
    max_discount_vnd: Mapped[int | None]
    min_spend_vnd: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total_uses: Mapped[int]
    uses_per_buyer: Mapped[int] = mapped_column(default=1)
    first_order_only: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Uses taken and not given back; only changed by conditional UPDATEs (redemption.py).
    used_count: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm | None] = relationship()
    #: A farm voucher limited to these products; empty = all the farm's products.
    products: Mapped[list[Product]] = relationship(secondary=voucher_product)

    @property
    def is_platform(self) -> bool:
        return self.farm_id is None

    @property
    def last_day(self) -> date:
        """The last day it runs, in Vietnam (ends_at is 00:00 of the day after)."""
        return (self.ends_at - timedelta(seconds=1)).astimezone(VIETNAM).date()


class VoucherRedemption(db.Model):
    """One order's share of a voucher used at a checkout. A checkout takes one use of the
    voucher, whatever the number of its orders; the use goes back when every order of the
    checkout that carried it is cancelled (released_at set once per row)."""

    __tablename__ = "voucher_redemption"
    __table_args__ = (CheckConstraint("amount_vnd >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("voucher.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("farm_order.id"), unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    amount_vnd: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    voucher: Mapped[Voucher] = relationship()
