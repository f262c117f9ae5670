"""Batches and their farming diary: create, record (append-only), correct, recall, verify."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role, has_role
from app.clock import VIETNAM
from app.db import utcnow
from app.errors import DomainError, get_or_not_found
from app.extensions import db
from app.geo import fold_accents
from app.images import process_document_upload, process_image_upload
from app.validation import (
    clean_paragraphs,
    clean_text,
    parse_decimal,
    parse_whole_number,
    read_id,
)
from farms.models import Farm, GrowingArea
from farms.permissions import ensure_can_manage
from products.models import Product
from products.sale_stop import resume_sale
from traceability import chain, recalls
from traceability.chain import effective_events
from traceability.diary import KIND_FIELDS, DiaryField
from traceability.epcis import CAPTURED_EVENT_ID
from traceability.models import Batch, BatchEvent, BatchStatus, EventKind, Label, LabelRun

#: GS1 lot numbers allow more, but upper-case letters, digits and "-" stay in the QR code's
#: compact alphanumeric mode and cannot be mistyped with accents.
CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")
MAX_PHOTOS = 4
#: No diary goes back further: an earlier year is a typing mistake.
EARLIEST_YEAR = 2000
#: A phone's clock may run a little ahead; anything later is a typing mistake.
FUTURE_TOLERANCE = timedelta(minutes=10)
#: What a recalled batch may no longer record: it must not be harvested, packed or shipped.
_CLOSED_TO_RECALLED = (EventKind.HARVEST, EventKind.PACKING, EventKind.SHIPPING)
#: What only the application records (traceability.chain seals the batch's labels with it).
_NOT_TYPED = (EventKind.LABELS, EventKind.RECALL)


# Batches -----------------------------------------------------------------------------------


def suggest_code(farm: Farm, product: Product, day: date) -> str:
    """Initials of the product, the year and month, then the first free letter: VT2606-A."""
    words = [w for w in fold_accents(product.name).upper().split() if w.isalnum()]
    initials = "".join(word[0] for word in words[:2]) or "LO"
    prefix = f"{initials}{day:%y%m}-"
    taken = set(
        db.session.scalars(
            select(Batch.code).where(Batch.farm_id == farm.id, Batch.code.like(f"{prefix}%"))
        )
    )
    for letter in "ABCDEFGHJKLMNPQRSTUVWXYZ":
        if prefix + letter not in taken:
            return prefix + letter
    return prefix + str(len(taken) + 1)


def clean_code(raw: str | None) -> str:
    code = "".join((raw or "").split()).upper()
    if not CODE_PATTERN.fullmatch(code):
        raise DomainError(
            _l(
                "A batch code has 1 to 20 characters: letters without accents, digits and "
                "“-”, e.g. VT2606-A."
            ),
            field="code",
        )
    return code


def create_batch(
    farm: Farm,
    actor: User,
    *,
    product_id: int | str,
    code: str,
    growing_area_id: int | str | None = None,
) -> Batch:
    ensure_can_manage(actor, farm)
    product = _get(Product, product_id)
    if product is None or product.farm_id != farm.id:
        raise DomainError(_l("Choose one of this farm's products."), field="product_id")
    area = None
    if growing_area_id not in (None, ""):
        area = _get(GrowingArea, growing_area_id)
        if area is None or area.farm_id != farm.id:
            raise DomainError(
                _l("Choose one of this farm's growing areas."), field="growing_area_id"
            )
    elif product.growing_area_id:
        area = product.growing_area
    code = clean_code(code)
    taken = db.session.scalar(select(Batch.id).where(Batch.farm_id == farm.id, Batch.code == code))
    if taken:
        raise DomainError(_l("This farm already has a batch %(code)s.", code=code), field="code")
    batch = Batch(
        farm_id=farm.id,
        product_id=product.id,
        growing_area_id=area.id if area else None,
        code=code,
        status=BatchStatus.GROWING.value,
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    # The chain starts from the batch's identity: changing it later breaks the chain.
    batch.head_hash = chain.facts_anchor(batch)
    db.session.flush()
    return batch


def _get(model, value):
    """The row of this id as typed in a form; no row for anything that is not an id."""
    row_id = read_id(value)  # past the database's integers is no row, not an overflow
    return db.session.get(model, row_id) if row_id else None


def farm_batches(farm: Farm, actor: User) -> list[Batch]:
    ensure_can_manage(actor, farm)
    return list(
        db.session.scalars(
            select(Batch).where(Batch.farm_id == farm.id).order_by(Batch.created_at.desc())
        )
    )


def get_batch_for(actor: User, batch_id: int) -> Batch:
    """A batch the actor may manage: NotFound when unknown, PermissionDenied when another farm's."""
    batch = get_or_not_found(Batch, batch_id)
    ensure_can_manage(actor, batch.farm)
    return batch


def history(batch: Batch) -> list[BatchEvent]:
    """The batch's events as stored, in order (not the cached relationship)."""
    return list(
        db.session.scalars(
            select(BatchEvent).where(BatchEvent.batch_id == batch.id).order_by(BatchEvent.seq)
        )
    )


def batch_labels(batch_id: int) -> list[chain.IssuedLabel]:
    """The labels stored for the batch, with their run and the batch that run was for."""
    rows = db.session.execute(
        select(Label.run_id, LabelRun.batch_id, Label.serial)
        .join(LabelRun, LabelRun.id == Label.run_id)
        .where(Label.batch_id == batch_id)
    )
    return [chain.IssuedLabel(*row) for row in rows]


def verify_batch(batch: Batch) -> chain.ChainCheck:
    return chain.verify(batch, history(batch), batch_labels(batch.id))


# The diary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    """What a person typed to record one event; validated by record_event()."""

    kind: str
    occurred_at: str | datetime
    fields: dict[str, str]
    place: str = ""
    note: str = ""
    photos: Sequence[bytes] = ()
    report: bytes | None = None
    report_filename: str = ""
    corrects_id: int | str | None = None
    #: Only an operator may record a harvest inside a pre-harvest interval, with a reason.
    phi_override_reason: str = ""
    #: The eventID of an EPCIS event captured as this entry (traceability.epcis_capture):
    #: kept in the details, under the chain's hash, so the export gives the same eventID.
    epcis_event_id: str = ""


def parse_local_datetime(value: str | datetime, now: datetime) -> datetime:
    """A time as typed on the form (Vietnam's time, "2026-06-20T07:30"), as UTC seconds."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat((value or "").strip())
        except ValueError as exc:
            raise DomainError(
                _l("Enter the date and time it happened."), field="occurred_at"
            ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    if not EARLIEST_YEAR <= moment.year <= now.year + 1:
        raise DomainError(_l("Enter the date and time it happened."), field="occurred_at")
    moment = moment.astimezone(now.tzinfo).replace(microsecond=0)
    if moment > now + FUTURE_TOLERANCE:
        raise DomainError(_l("This time is in the future."), field="occurred_at")
    return moment


def _clean_field(spec: DiaryField, raw: str | None) -> str | int | None:
    text = (raw or "").strip()
    if not text:
        if spec.required:
            raise DomainError(_l("Please enter %(what)s.", what=spec.label), field=spec.name)
        return None
    if spec.type == "whole":
        return parse_whole_number(
            text, spec.name, spec.label, minimum=spec.minimum, maximum=spec.maximum
        )
    if spec.type == "decimal":
        number = parse_decimal(
            text, spec.name, spec.label, minimum=Decimal("0.01"), maximum=Decimal(spec.maximum)
        )
        return format(number.normalize(), "f")
    return clean_text(text, spec.name, spec.max_length, spec.label)


def clean_details(kind: EventKind, fields: dict[str, str]) -> dict[str, str | int]:
    details = {}
    for spec in KIND_FIELDS[kind]:
        value = _clean_field(spec, fields.get(spec.name))
        if value is not None:
            details[spec.name] = value
    return details


@dataclass(frozen=True)
class IntervalBreach:
    spraying: BatchEvent
    required_days: int
    safe_from: datetime


def interval_breach(events: Sequence[BatchEvent], harvest_at: datetime) -> IntervalBreach | None:
    """The spraying whose pre-harvest interval has not passed at `harvest_at`, if any."""
    worst: IntervalBreach | None = None
    for event in effective_events(events):
        if event.kind != EventKind.SPRAYING or event.occurred_at > harvest_at:
            continue
        days = int(event.details.get("phi_days", 0))
        safe_from = event.occurred_at + timedelta(days=days)
        if harvest_at < safe_from and (worst is None or safe_from > worst.safe_from):
            worst = IntervalBreach(event, days, safe_from)
    return worst


def _spraying_breach(
    standing: Sequence[BatchEvent], sprayed_at: datetime, days: int, details: dict
) -> IntervalBreach | None:
    """A spraying recorded (or corrected) after the fact must not fall inside the interval
    before a harvest that was already recorded."""
    safe_from = sprayed_at + timedelta(days=days)
    for event in standing:
        if event.kind == EventKind.HARVEST and sprayed_at <= event.occurred_at < safe_from:
            spraying = BatchEvent(occurred_at=sprayed_at, details=details)
            return IntervalBreach(spraying, days, safe_from)
    return None


def _override_or_refuse(breach: IntervalBreach, actor: User, override: str) -> dict[str, str]:
    """Only an operator may let a harvest and a spraying break the pre-harvest interval, and
    the reason is recorded (and shown on the public page)."""
    override = " ".join((override or "").split())
    if override and has_role(actor, Role.OPERATOR):
        return {"phi_override": clean_text(override, "phi_override_reason", 300, _l("the reason"))}
    sprayed = breach.spraying.occurred_at.astimezone(VIETNAM)
    safe = breach.safe_from.astimezone(VIETNAM)
    raise DomainError(
        lazy_ngettext(
            "Too early to harvest: %(product)s was sprayed on %(sprayed)s and needs "
            "%(num)d day before harvest. The earliest safe harvest is %(safe)s.",
            "Too early to harvest: %(product)s was sprayed on %(sprayed)s and needs "
            "%(num)d days before harvest. The earliest safe harvest is %(safe)s.",
            breach.required_days,
            product=breach.spraying.details.get("product", ""),
            sprayed=sprayed.strftime("%d/%m/%Y %H:%M"),
            safe=safe.strftime("%d/%m/%Y %H:%M"),
        ),
        field="occurred_at",
    )


def _store_files(entry: EventInput, kind: EventKind) -> tuple[list[str], dict[str, str]]:
    photos = [data for data in entry.photos if data]
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_l("At most %(n)d photos per entry.", n=MAX_PHOTOS), field="photos")
    keys = [process_image_upload(data, kind="batches").display_key for data in photos]
    extra = {}
    if entry.report and kind == EventKind.INSPECTION:
        document = process_document_upload(
            entry.report, kind="lab-reports", filename=entry.report_filename
        )
        extra["report_key"] = document.key
    return keys, extra


def record_event(
    batch: Batch, actor: User, entry: EventInput, now: datetime | None = None
) -> BatchEvent:
    """Append one event to the batch's history (or a correction of an earlier one)."""
    ensure_can_manage(actor, batch.farm)
    now = (now or utcnow()).replace(microsecond=0)
    # One writer at a time per batch: the next position and the previous hash must not race.
    db.session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    db.session.refresh(batch)
    events = history(batch)

    corrected = None
    if entry.corrects_id not in (None, ""):
        corrected = next((e for e in events if e.id == read_id(entry.corrects_id)), None)
        if corrected is None or corrected.kind in _NOT_TYPED:
            raise DomainError(_l("Choose an entry of this batch to correct."), field="corrects_id")
        if any(e.corrects_id == corrected.id for e in events):
            raise DomainError(
                _l("This entry was corrected already: correct its latest version."),
                field="corrects_id",
            )
        kind = EventKind(corrected.kind)
    else:
        try:
            kind = EventKind(entry.kind)
        except ValueError as exc:
            raise DomainError(_l("Choose what happened."), field="kind") from exc
    if kind in _NOT_TYPED:
        raise DomainError(_l("Choose what happened."), field="kind")
    if batch.is_recalled and kind in _CLOSED_TO_RECALLED:
        raise DomainError(_l("This batch was recalled; it cannot be harvested, packed or shipped."))

    occurred_at = parse_local_datetime(entry.occurred_at, now)
    details = clean_details(kind, entry.fields)
    note = clean_paragraphs(entry.note, "note", 2000, _l("the note"))
    if kind == EventKind.NOTE and not note:
        raise DomainError(_l("Please enter %(what)s.", what=_l("the note")), field="note")
    place = clean_text(entry.place, "place", 200, _l("the place"), required=False)
    if not place and batch.growing_area is not None:
        place = batch.growing_area.name
    # What stands once this entry is recorded, apart from the entry itself.
    standing = [e for e in effective_events(events) if corrected is None or e.id != corrected.id]
    if kind == EventKind.HARVEST:
        breach = interval_breach(standing, occurred_at)
    elif kind == EventKind.SPRAYING:
        breach = _spraying_breach(standing, occurred_at, int(details["phi_days"]), details)
    else:
        breach = None
    if breach is not None:
        details.update(_override_or_refuse(breach, actor, entry.phi_override_reason))
    photo_keys, extra = _store_files(entry, kind)
    details.update(extra)
    if entry.epcis_event_id:
        details[CAPTURED_EVENT_ID] = entry.epcis_event_id

    event = BatchEvent(
        kind=kind.value,
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by_id=actor.id,
        recorded_by_name=actor.full_name,
        place=place,
        details=details,
        note=note,
        photo_keys=photo_keys,
        corrects_id=corrected.id if corrected else None,
    )
    _append(batch, event, corrected.seq if corrected else None)
    _follow(batch, [*events, event])
    return event


def _append(batch: Batch, event: BatchEvent, corrects_seq: int | None = None) -> None:
    """Chain `event` after the batch's head (the caller holds the batch's row lock)."""
    event.batch_id = batch.id
    event.seq = batch.event_count + 1
    event.prev_hash = batch.head_hash or chain.GENESIS
    event.hash = chain.event_hash(event, corrects_seq)
    db.session.add(event)
    batch.head_hash = event.hash
    batch.event_count = event.seq
    db.session.flush()


def record_labels_issued(
    batch: Batch, actor: User, run: LabelRun, serials, now: datetime | None = None
) -> BatchEvent:
    """Seal a run of labels in the batch's chain: which run, how many, and the digest of its
    serials, so that a label moved to another batch (or added, or removed) is found."""
    ensure_can_manage(actor, batch.farm)
    now = (now or utcnow()).replace(microsecond=0)
    db.session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    db.session.refresh(batch)
    serials = list(serials)
    details = {
        "run": run.id,
        "format": run.format,
        "count": len(serials),
        "serials": chain.serials_digest(serials),
    }
    event = _service_event(EventKind.LABELS, actor, now, details)
    _append(batch, event)
    return event


def _service_event(kind: EventKind, actor: User, now: datetime, details: dict) -> BatchEvent:
    """An entry the application records itself (labels, a recall), never typed on the form."""
    return BatchEvent(
        kind=kind.value,
        occurred_at=now,
        recorded_at=now,
        recorded_by_id=actor.id,
        recorded_by_name=actor.full_name,
        place="",
        details=details,
        note="",
        photo_keys=[],
    )


def _follow(batch: Batch, events: Sequence[BatchEvent]) -> None:
    """Keep the batch's status, harvest date and quantity in step with its history."""
    standing = effective_events(events)
    harvests = [e for e in standing if e.kind == EventKind.HARVEST]
    if harvests:
        harvest = max(harvests, key=lambda e: e.occurred_at)
        batch.harvested_on = harvest.occurred_at.astimezone(VIETNAM).date()
        batch.quantity = Decimal(str(harvest.details["quantity"]))
        batch.unit = str(harvest.details.get("unit", batch.unit))[:20]
    if batch.status in (BatchStatus.RECALLED, BatchStatus.SOLD_OUT):
        return
    if any(e.kind == EventKind.PACKING for e in standing) and harvests:
        batch.status = BatchStatus.PACKED.value
    elif harvests:
        batch.status = BatchStatus.HARVESTED.value
    if harvests and batch.product.is_sale_stopped:
        # A harvest after a recall is something the product can be sold from again (an empty
        # new batch is not); the product row is locked as a recall locks it.
        db.session.execute(
            select(Product.id).where(Product.id == batch.product_id).with_for_update()
        )
        resume_sale(batch.product)
    db.session.flush()


def mark_sold_out(batch: Batch, actor: User) -> None:
    ensure_can_manage(actor, batch.farm)
    if batch.is_recalled:
        raise DomainError(_l("This batch was recalled."))
    batch.status = BatchStatus.SOLD_OUT.value
    db.session.flush()


#: A recall's reason is read by every buyer who received the batch: a word is not enough.
MIN_RECALL_REASON = 10


def clean_recall_reason(reason: str | None) -> str:
    text = clean_paragraphs(reason, "reason", 1000, _l("the reason"))
    if len(" ".join(text.split())) < MIN_RECALL_REASON:
        raise DomainError(
            _l(
                "Say why the batch is recalled, in at least %(n)d characters: buyers read it.",
                n=MIN_RECALL_REASON,
            ),
            field="reason",
        )
    return text


def recall_batch(batch: Batch, actor: User, reason: str, now: datetime | None = None) -> int:
    """Recall a batch (farm or operator): its trace page shows the warning, its product stops
    selling when nothing is left but recalled batches, and orders packed from it are held.
    Returns how many buyers who received it are mailed once the recall commits."""
    ensure_can_manage(actor, batch.farm)
    reason = clean_recall_reason(reason)
    # Packing locks the batch too: an order is either packed before the recall (and held by
    # it) or refused the recalled batch.
    db.session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    db.session.refresh(batch)
    if batch.is_recalled:
        raise DomainError(_l("This batch is already recalled."))
    now = (now or utcnow()).replace(microsecond=0)
    # In the chain first: clearing the recall in the database afterwards breaks the history.
    _append(batch, _service_event(EventKind.RECALL, actor, now, {"reason": reason}))
    batch.recall_reason = reason
    batch.status = BatchStatus.RECALLED.value
    batch.recalled_at = now
    batch.recalled_by_id = actor.id
    db.session.flush()
    return recalls.stop_sales_and_hold_orders(batch, actor)


def find_batch(reference: str) -> Batch | None:
    """A batch by id ("42"), by farm and code ("vuon-vai-co-lan/VT2606-A"), or by a code
    that only one farm uses ("VT2606-A")."""
    reference = reference.strip()
    if reference.isascii() and reference.isdigit():
        batch_id = read_id(reference)
        return db.session.get(Batch, batch_id) if batch_id else None
    if "/" in reference:
        slug, code = reference.rsplit("/", 1)
        return db.session.scalar(
            select(Batch).join(Batch.farm).where(Farm.slug == slug, Batch.code == code.upper())
        )
    found = db.session.scalars(select(Batch).where(Batch.code == reference.upper())).all()
    return found[0] if len(found) == 1 else None
