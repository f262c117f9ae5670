"""A farm's group offer (mua chung) on one of its variants: a lower price for everyone if
enough buyers (or boxes) join before the deadline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from farms.models import Farm
from products.models import Variant


class GroupGoal(StrEnum):
    #: So many different buyers (a signed-in account or a guest's phone) joined.
    BUYERS = "buyers"
    #: So many boxes (units of the variant) ordered in all.
    BOXES = "boxes"


class GroupOfferStatus(StrEnum):
    OPEN = "open"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


_OPEN = text("status = 'open'")


class GroupOffer(db.Model):
    __tablename__ = "group_offer"
    __table_args__ = (
        CheckConstraint("group_price_vnd > 0", name="positive_group_price"),
        CheckConstraint("min_count > 0", name="positive_min_count"),
        CheckConstraint("max_boxes > 0", name="positive_max_boxes"),
        CheckConstraint("goal IN ('buyers', 'boxes')", name="known_goal"),
        CheckConstraint("status IN ('open', 'succeeded', 'failed')", name="known_status"),
        # One open offer per variant, even when two farmers open one at the same moment.
        Index(
            "ix_group_offer_one_open",
            "variant_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        # The closing job looks for open offers past their deadline.
        Index("ix_group_offer_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="CASCADE"))
    group_price_vnd: Mapped[int]
    #: A GroupGoal value.
    goal: Mapped[str] = mapped_column(String(10))
    min_count: Mapped[int]
    #: How many boxes the offer sells at most (the variant's stock when the farm left it empty).
    max_boxes: Mapped[int]
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    #: A GroupOfferStatus value; leaves "open" once, by compare-and-set.
    status: Mapped[str] = mapped_column(String(10), default=GroupOfferStatus.OPEN.value)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    farm: Mapped[Farm] = relationship()
    variant: Mapped[Variant] = relationship()
    created_by: Mapped[User | None] = relationship()
