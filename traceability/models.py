"""Batches (lô), their append-only history, the labels printed for them and label scans."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from farms.models import Farm, GrowingArea
from orders.models import OrderLine
from products.models import Product


class BatchStatus(enum.StrEnum):
    GROWING = "growing"
    HARVESTED = "harvested"
    PACKED = "packed"
    SOLD_OUT = "sold_out"
    RECALLED = "recalled"


BATCH_STATUS_LABELS = {
    BatchStatus.GROWING: _l("Growing"),
    BatchStatus.HARVESTED: _l("Harvested"),
    BatchStatus.PACKED: _l("Packed"),
    BatchStatus.SOLD_OUT: _l("Sold out"),
    BatchStatus.RECALLED: _l("Recalled"),
}


class EventKind(enum.StrEnum):
    PLANTING = "planting"
    FERTILISING = "fertilising"
    SPRAYING = "spraying"
    IRRIGATION = "irrigation"
    INSPECTION = "inspection"
    HARVEST = "harvest"
    PACKING = "packing"
    SHIPPING = "shipping"
    RECEIVING = "receiving"
    NOTE = "note"
    #: Recorded by the label service when labels are issued, never typed by a person.
    LABELS = "labels"
    #: Recorded by the recall service: the recall is part of the history it cannot leave.
    RECALL = "recall"


class Batch(db.Model):
    """A quantity of one product from one farm (and growing area), followed from field to box."""

    __tablename__ = "batch"
    __table_args__ = (
        UniqueConstraint("farm_id", "code", name="code_unique_in_farm"),
        CheckConstraint(
            "status IN ('growing', 'harvested', 'packed', 'sold_out', 'recalled')",
            name="known_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    growing_area_id: Mapped[int | None] = mapped_column(ForeignKey("growing_area.id"))
    #: Batch (lot) code, unique in the farm: GS1 AI (10) characters, upper-case, no accents.
    code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=BatchStatus.GROWING.value)
    #: Set by the (latest effective) harvest event.
    harvested_on: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(20), default="kg")
    #: The last event's hash and the number of events: a shortened row breaks the chain.
    head_hash: Mapped[str | None] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recall_reason: Mapped[str | None] = mapped_column(Text)
    recalled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    farm: Mapped[Farm] = relationship()
    product: Mapped[Product] = relationship()
    growing_area: Mapped[GrowingArea | None] = relationship()
    events: Mapped[list[BatchEvent]] = relationship(
        back_populates="batch", order_by="BatchEvent.seq"
    )
    recalled_by: Mapped[User | None] = relationship(foreign_keys=[recalled_by_id])

    @property
    def is_recalled(self) -> bool:
        # The recall's own columns decide: a status written meanwhile cannot undo a recall.
        return self.recalled_at is not None or self.status == BatchStatus.RECALLED


class BatchEvent(db.Model):
    """One entry of a batch's farming diary. Never edited: a correction is a new event.

    `hash` is SHA-256 over the canonical content, which includes the previous event's hash
    (`prev_hash`), so the events of a batch form a chain (traceability.chain).
    """

    __tablename__ = "batch_event"
    __table_args__ = (UniqueConstraint("batch_id", "seq", name="one_event_per_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"))
    #: 1, 2, 3… in the order recorded.
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    #: When it happened (UTC, whole seconds), as the farmer says.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The recorder's name as it was, so the hash does not change when a profile does.
    recorded_by_name: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(200), default="")
    #: The kind's own fields (traceability.diary), strings and whole numbers only.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    #: Content-addressed keys of the photos (their SHA-256), so the hash covers them too.
    photo_keys: Mapped[list] = mapped_column(JSON, default=list)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("batch_event.id"))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    batch: Mapped[Batch] = relationship(back_populates="events")
    corrects: Mapped[BatchEvent | None] = relationship(remote_side=[id])


@event.listens_for(BatchEvent, "before_update")
def _history_is_append_only(mapper, connection, target: BatchEvent) -> None:
    raise RuntimeError("Batch events are never changed; record a correction instead.")


@event.listens_for(BatchEvent, "before_delete")
def _history_is_never_deleted(mapper, connection, target: BatchEvent) -> None:
    raise RuntimeError("Batch events are never deleted; record a correction instead.")


class LabelRun(db.Model):
    """One print: how many labels of which format were issued for a batch, by whom."""

    __tablename__ = "label_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    format: Mapped[str] = mapped_column(String(20))
    count: Mapped[int]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the worker was last asked to draw the run's PDF (large runs): asked again only
    #: once that is older than the lease, so a worker that died drawing it is covered.
    drawing_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[Batch] = relationship()
    issued_by: Mapped[User | None] = relationship()


class Label(db.Model):
    """A physical label: its serial was issued when the PDF was made, and is counted on scan."""

    __tablename__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, upper-case Crockford base32: short in a QR, impossible to guess.
    serial: Mapped[str] = mapped_column(String(20), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("label_run.id"))
    scan_count: Mapped[int] = mapped_column(default=0)
    first_scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[Batch] = relationship()


class LabelScan(db.Model):
    """A scan of a label's address: when, which serial, and a coarse device type. No IP."""

    __tablename__ = "label_scan"
    __table_args__ = (Index("ix_label_scan_batch_time", "batch_id", "scanned_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Empty for a serial that was never issued (a forged or mistyped label).
    label_id: Mapped[int | None] = mapped_column(ForeignKey("label.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batch.id"))
    serial: Mapped[str] = mapped_column(String(32))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: phone, tablet, desktop or bot (link previews; not counted as scans of the label).
    device: Mapped[str] = mapped_column(String(10))


class LabelScanner(db.Model):
    """Who has scanned a label, as coarse fingerprints (traceability.scans): one row per
    visitor and day, never an address. The copy warning counts these rows, not scans."""

    __tablename__ = "label_scanner"

    label_id: Mapped[int] = mapped_column(ForeignKey("label.id"), primary_key=True)
    #: Truncated HMAC of the network prefix and day (scanner_fingerprint()).
    fingerprint: Mapped[str] = mapped_column(String(16), primary_key=True)


class BatchAllocation(db.Model):
    """Which batch an order line's units came from, chosen when the farm packs the order."""

    __tablename__ = "batch_allocation"
    __table_args__ = (
        UniqueConstraint("order_line_id", "batch_id", name="one_row_per_line_and_batch"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_line.id", ondelete="CASCADE"), index=True
    )
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    #: How many of the line's units came from this batch.
    quantity: Mapped[int]

    order_line: Mapped[OrderLine] = relationship()
    batch: Mapped[Batch] = relationship()
