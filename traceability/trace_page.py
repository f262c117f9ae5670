"""What the public trace page of a batch shows, gathered in a few queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from farms.models import Certification, Farm
from orders.reviews.queries import BatchReviews, batch_reviews
from products.models import OcopCertificate, Product
from traceability import chain
from traceability.models import Batch, BatchEvent, EventKind
from traceability.services import batch_labels, effective_events


@dataclass(frozen=True)
class TimelineEntry:
    event: BatchEvent
    #: The later event that corrects this one (this one no longer stands).
    corrected_by: BatchEvent | None = None
    #: The earlier event this one corrects.
    corrects: BatchEvent | None = None


@dataclass(frozen=True)
class IntervalStatement:
    """ "Last spraying X days before harvest; required Y." for the effective harvest."""

    days_before_harvest: int
    required_days: int
    product: str

    @property
    def respected(self) -> bool:
        return self.days_before_harvest >= self.required_days


@dataclass
class BatchTrace:
    batch: Batch
    product: Product
    farm: Farm
    timeline: list[TimelineEntry]
    check: chain.ChainCheck
    valid_certifications: list[Certification] = field(default_factory=list)
    expired_certifications: list[Certification] = field(default_factory=list)
    ocop: OcopCertificate | None = None
    ocop_expired: bool = False
    interval: IntervalStatement | None = None
    #: Harvests recorded inside an interval by an operator's override, with the reason.
    overrides: list[BatchEvent] = field(default_factory=list)
    #: The recall sealed in the history: the page warns from it even if the batch's row no
    #: longer says so.
    recall: BatchEvent | None = None
    #: Buyers' visible reviews of lines packed from this batch.
    reviews: BatchReviews = field(default_factory=BatchReviews)


def load_batch(farm_slug: str, code: str) -> Batch | None:
    return db.session.scalar(
        select(Batch).join(Batch.farm).where(Farm.slug == farm_slug, Batch.code == code.upper())
    )


def batch_version(farm_slug: str, code: str):
    """The batch's id and version (event count, last hash, status), or None: all a shared
    copy of its page needs, read without loading the batch."""
    return db.session.execute(
        select(Batch.id, Batch.event_count, Batch.head_hash, Batch.status)
        .join(Farm, Farm.id == Batch.farm_id)
        .where(Farm.slug == farm_slug, Batch.code == code.upper())
    ).first()


def _interval(standing: list[BatchEvent]) -> IntervalStatement | None:
    """The statement for the first harvest: its last spraying, or the spraying whose
    interval the harvest broke."""
    harvests = [e for e in standing if e.kind == EventKind.HARVEST]
    if not harvests:
        return None
    harvest = min(harvests, key=lambda e: e.occurred_at)
    sprayings = [
        e for e in standing if e.kind == EventKind.SPRAYING and e.occurred_at <= harvest.occurred_at
    ]
    if not sprayings:
        return None

    def safe_from(spraying: BatchEvent):
        return spraying.occurred_at + timedelta(days=int(spraying.details.get("phi_days", 0)))

    # The last spraying, as the statement says, unless an earlier one's longer interval is
    # the one the harvest broke: that one is shown, never hidden behind a later one.
    limiting = max(sprayings, key=safe_from)
    if safe_from(limiting) <= harvest.occurred_at:
        limiting = max(sprayings, key=lambda e: e.occurred_at)
    return IntervalStatement(
        days_before_harvest=(harvest.occurred_at - limiting.occurred_at).days,
        required_days=int(limiting.details.get("phi_days", 0)),
        product=str(limiting.details.get("product", "")),
    )


def batch_trace(batch_id: int, today: date) -> BatchTrace:
    """Everything the page shows, in four statements (five once it has reviews): the batch
    with its farm, product, OCOP certificate and growing area; the farm's certificates; the
    events; the reviews' count and average (and the newest few)."""
    batch = db.session.scalar(
        select(Batch)
        .where(Batch.id == batch_id)
        .options(
            joinedload(Batch.farm).selectinload(Farm.certifications),
            joinedload(Batch.product).joinedload(Product.ocop),
            joinedload(Batch.growing_area),
        )
    )
    farm, product = batch.farm, batch.product
    events = list(
        db.session.scalars(
            # Up to the count read with the batch: an entry saved meanwhile is not a gap.
            select(BatchEvent)
            .where(BatchEvent.batch_id == batch.id, BatchEvent.seq <= batch.event_count)
            .order_by(BatchEvent.seq)
        )
    )
    by_id = {e.id: e for e in events}
    corrected_by = {e.corrects_id: e for e in events if e.corrects_id}
    timeline = [TimelineEntry(e, corrected_by.get(e.id), by_id.get(e.corrects_id)) for e in events]
    standing = effective_events(events)
    verified = [c for c in farm.certifications if c.verified_at is not None]
    ocop = product.ocop if product.ocop and product.ocop.verified_at else None
    return BatchTrace(
        batch=batch,
        product=product,
        farm=farm,
        timeline=timeline,
        check=chain.verify(batch, events, batch_labels(batch.id)),
        valid_certifications=[c for c in verified if not c.is_expired_on(today)],
        expired_certifications=[c for c in verified if c.is_expired_on(today)],
        ocop=ocop,
        ocop_expired=bool(ocop and not ocop.is_valid_on(today)),
        interval=_interval(standing),
        overrides=[e for e in standing if e.details.get("phi_override")],
        recall=chain.recall_entry(events),
        reviews=batch_reviews(batch.id),
    )
