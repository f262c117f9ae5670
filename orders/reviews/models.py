"""A buyer's review of a delivered order line, its photos, its edit history and the abuse
reports on it. One review per order line (a unique key); the product's and the farm's
rating columns count only the visible ones (orders.reviews.ratings keeps them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from orders.models import OrderLine


class Review(db.Model):
    """Stars and words about what one order line brought, by the buyer who received it."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_review_product_visible", "product_id", "hidden_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique: a double submit of the same line writes one review.
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_line.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), index=True)
    #: The batch the line was packed from (the one with most of its units), when the farm
    #: recorded one; the trace page shows the reviews of its batch.
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("batch.id", ondelete="SET NULL"), index=True
    )
    stars: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set by an operator: the review no longer shows nor counts; the author is told why.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The farm's one public answer.
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    line: Mapped[OrderLine] = relationship()
    photos: Mapped[list[ReviewPhoto]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewPhoto.position"
    )
    revisions: Mapped[list[ReviewRevision]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewRevision.id"
    )
    reports: Mapped[list[ReviewReport]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewReport.id"
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def author_name(self) -> str:
        """What the public sees of the author: the given name (last word of a Vietnamese
        full name), never the phone or e-mail."""
        words = (self.author.full_name or "").split()
        return words[-1] if words else "—"


class ReviewPhoto(db.Model):
    """A photo of a review (app.photo_gallery keeps the positions)."""

    __tablename__ = "review_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    display_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    review: Mapped[Review] = relationship(back_populates="photos")


class ReviewRevision(db.Model):
    """Append-only: what a review said before each edit."""

    __tablename__ = "review_revision"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    #: When the replaced words were written (the review's creation or its previous edit).
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="revisions")


class ReviewReport(db.Model):
    """Someone signed in says a review is abusive; once per person per review."""

    __tablename__ = "review_report"
    __table_args__ = (
        UniqueConstraint("review_id", "reporter_id", name="uq_review_report_reporter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="reports")
    reporter: Mapped[User] = relationship()
