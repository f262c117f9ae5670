"""The public trace of a batch or of a label's serial (no token): what the trace page shows,
gathered by the same function (traceability.trace_page.batch_trace).

Reading a serial here is not a scan and is not counted (traceability.scans.record_scan is
never called): the scan count and the copy warning stand for people who held the box and
scanned its label, one per visitor and day. A partner's program reading the trace (a
portal syncing, a shop checking stock) is not such a visitor; counting it would let any
script push a genuine label over the copy warning, which the page guards with its per-address
scan limit and keyed fingerprints. The figures are shown as they stand.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from api.blueprint import api_blueprint
from api.public_catalog import (
    PublicCertificationSchema,
    PublicFarmRefSchema,
    absolute_url,
    certification,
    decimal_text,
    farm_ref,
)
from api.schemas import UtcTime
from app.clock import local_today
from app.errors import NotFound
from app.extensions import db
from app.http_cache import public_page
from farms.models import Farm
from traceability.diary import KIND_FIELDS, kind_label
from traceability.labels import normalise_serial
from traceability.models import (
    BATCH_STATUS_LABELS,
    Batch,
    BatchStatus,
    EventKind,
    Label,
    LabelScanner,
)
from traceability.services import find_batch
from traceability.trace_page import BatchTrace, TimelineEntry, batch_trace

blp = api_blueprint(
    "trace",
    "/trace",
    "The public trace of a batch or a label: farm, area, diary, harvest, recall. No token",
)


class TraceDetailSchema(ma.Schema):
    name = ma.fields.String(required=True, metadata={"description": "The diary field's name"})
    label = ma.fields.String(required=True, metadata={"description": "In the caller's language"})
    value = ma.fields.String(required=True)


class TraceEventSchema(ma.Schema):
    seq = ma.fields.Integer(required=True, metadata={"description": "1, 2, 3… as recorded"})
    kind = ma.fields.String(required=True, metadata={"enum": [k.value for k in EventKind]})
    kind_label = ma.fields.String(required=True)
    occurred_at = UtcTime(required=True)
    place = ma.fields.String(required=True)
    details = ma.fields.List(ma.fields.Nested(TraceDetailSchema), required=True)
    note = ma.fields.String(required=True)
    photos = ma.fields.List(ma.fields.String(), required=True)
    report_url = ma.fields.String(allow_none=True, metadata={"description": "A lab report"})
    stands = ma.fields.Boolean(
        required=True, metadata={"description": "False: a later entry corrects it"}
    )
    corrected_by = ma.fields.Integer(allow_none=True, metadata={"description": "Its seq"})
    corrects = ma.fields.Integer(allow_none=True, metadata={"description": "Its seq"})


class TraceRecallSchema(ma.Schema):
    notice = ma.fields.String(
        required=True, metadata={"description": "The page's warning, in the caller's language"}
    )
    recalled_at = UtcTime(required=True)
    reason = ma.fields.String(allow_none=True)


class TraceIntervalSchema(ma.Schema):
    """The last spraying before the harvest and the interval its product requires."""

    days_before_harvest = ma.fields.Integer(required=True)
    required_days = ma.fields.Integer(required=True)
    product = ma.fields.String(required=True)
    respected = ma.fields.Boolean(required=True)


class HistoryCheckSchema(ma.Schema):
    intact = ma.fields.Boolean(
        required=True, metadata={"description": "No entry, seal or label changed or removed"}
    )
    entries = ma.fields.Integer(required=True)
    altered = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "What no longer matches: history, identity, harvest, labels, recall",
            "enum": ["history", "identity", "harvest", "labels", "recall", None],
        },
    )
    broken_at = ma.fields.Integer(allow_none=True, metadata={"description": "The entry's seq"})


class OcopTraceSchema(ma.Schema):
    stars = ma.fields.Integer(required=True)
    expires_on = ma.fields.Date(required=True)
    expired = ma.fields.Boolean(required=True)


class TraceProductSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    english_name = ma.fields.String(allow_none=True)
    gtin = ma.fields.String(allow_none=True)


class TraceAreaSchema(ma.Schema):
    name = ma.fields.String(required=True)
    code = ma.fields.String(allow_none=True)


class TraceFarmSchema(PublicFarmRefSchema):
    contact_phone = ma.fields.String(allow_none=True)


class TraceSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "The batch (lot) code"})
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in BatchStatus]})
    status_label = ma.fields.String(required=True)
    recalled = ma.fields.Boolean(
        required=True, metadata={"description": "True: do not eat it (see `recall`)"}
    )
    recall = ma.fields.Nested(TraceRecallSchema, allow_none=True)
    harvested_on = ma.fields.Date(allow_none=True)
    quantity = ma.fields.String(allow_none=True, metadata={"description": "Decimal, as text"})
    unit = ma.fields.String(required=True)
    product = ma.fields.Nested(TraceProductSchema, required=True)
    farm = ma.fields.Nested(TraceFarmSchema, required=True)
    growing_area = ma.fields.Nested(TraceAreaSchema, allow_none=True)
    certifications = ma.fields.List(ma.fields.Nested(PublicCertificationSchema), required=True)
    ocop = ma.fields.Nested(OcopTraceSchema, allow_none=True)
    interval = ma.fields.Nested(TraceIntervalSchema, allow_none=True)
    interval_overrides = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "Harvests inside an interval an operator allowed: reasons"},
    )
    history = ma.fields.Nested(HistoryCheckSchema, required=True)
    events = ma.fields.List(
        ma.fields.Nested(TraceEventSchema),
        required=True,
        metadata={"description": "The diary in the order recorded, corrected entries marked"},
    )
    page_url = ma.fields.String(required=True, metadata={"description": "The public trace page"})
    epcis_url = ma.fields.String(required=True, metadata={"description": "GS1 EPCIS 2.0"})


class TraceLabelSchema(ma.Schema):
    serial = ma.fields.String(required=True)
    scans = ma.fields.Integer(required=True, metadata={"description": "People's scans so far"})
    first_scanned_at = UtcTime(allow_none=True)
    may_be_copied = ma.fields.Boolean(
        required=True,
        metadata={"description": "Scanned by more distinct visitors than one box plausibly is"},
    )


class LabelTraceSchema(TraceSchema):
    label = ma.fields.Nested(TraceLabelSchema, required=True)


def _media(key: str) -> str:
    return absolute_url("media.serve", key=key)


def _event(entry: TimelineEntry) -> dict:
    event = entry.event
    values = event.details or {}
    specs = KIND_FIELDS.get(EventKind(event.kind), ())
    return {
        "seq": event.seq,
        "kind": event.kind,
        "kind_label": kind_label(event.kind),
        "occurred_at": event.occurred_at,
        "place": event.place,
        "details": [
            {"name": spec.name, "label": str(spec.label), "value": str(values[spec.name])}
            for spec in specs
            if spec.name in values
        ],
        "note": event.note,
        "photos": [_media(key) for key in event.photo_keys or ()],
        "report_url": _media(values["report_key"]) if values.get("report_key") else None,
        "stands": entry.corrected_by is None,
        "corrected_by": entry.corrected_by.seq if entry.corrected_by else None,
        "corrects": entry.corrects.seq if entry.corrects else None,
        # The recorder's name is left out, as on the page: it names farms, not accounts.
    }


def _recall(trace: BatchTrace) -> dict | None:
    """The sealed entry first, as the page: a recall cleared in the database still warns."""
    batch = trace.batch
    if trace.recall is not None:
        return {
            "notice": gettext("This batch has been recalled"),
            "recalled_at": trace.recall.occurred_at,
            "reason": trace.recall.details.get("reason"),
        }
    if batch.is_recalled:
        return {
            "notice": gettext("This batch has been recalled"),
            "recalled_at": batch.recalled_at or batch.created_at,
            "reason": batch.recall_reason,
        }
    return None


def trace_body(trace: BatchTrace, today) -> dict:
    batch, product, farm, check = trace.batch, trace.product, trace.farm, trace.check
    area = batch.growing_area
    recall = _recall(trace)
    ocop = trace.ocop
    return {
        "id": batch.id,
        "code": batch.code,
        "status": batch.status,
        "status_label": str(BATCH_STATUS_LABELS.get(batch.status, batch.status)),
        "recalled": recall is not None,
        "recall": recall,
        "harvested_on": batch.harvested_on,
        "quantity": decimal_text(batch.quantity),
        "unit": batch.unit,
        "product": {
            "id": product.id,
            "name": product.name,
            "english_name": product.english_name or None,
            "gtin": product.gtin or None,
        },
        "farm": {**farm_ref(farm), "contact_phone": farm.contact_phone},
        "growing_area": {"name": area.name, "code": area.code} if area else None,
        "certifications": [
            certification(c, today)
            for c in (*trace.valid_certifications, *trace.expired_certifications)
        ],
        "ocop": (
            {"stars": ocop.stars, "expires_on": ocop.expires_on, "expired": trace.ocop_expired}
            if ocop
            else None
        ),
        "interval": (
            {
                "days_before_harvest": trace.interval.days_before_harvest,
                "required_days": trace.interval.required_days,
                "product": trace.interval.product,
                "respected": trace.interval.respected,
            }
            if trace.interval
            else None
        ),
        "interval_overrides": [str(e.details.get("phi_override")) for e in trace.overrides],
        "history": {
            "intact": check.ok,
            "entries": check.events,
            "altered": None if check.ok else check.part,
            "broken_at": None if check.ok else check.broken_at,
        },
        "events": [_event(entry) for entry in trace.timeline],
        "page_url": absolute_url("traceability.trace_batch", farm_slug=farm.slug, code=batch.code),
        "epcis_url": absolute_url("traceability.batch_epcis", farm_slug=farm.slug, code=batch.code),
    }


def _trace_of(batch_id: int) -> dict:
    today = local_today()
    return trace_body(batch_trace(batch_id, today), today)


@blp.route("/batches/<string(maxlength=40):batch_ref>")
@public_page
@blp.response(200, TraceSchema)
@blp.alt_response(404, response="NOT_FOUND")
def trace_batch(batch_ref: str):
    """A batch's trace, by id or code.

    What its public page shows. `batch_ref` is the batch's id or a code only one farm uses
    (VT2606-A); a code several farms use is 404: ask by farm and code. A recalled batch says
    so (`recalled`, `recall`).
    """
    batch = find_batch(batch_ref)
    if batch is None:
        raise NotFound(f"batch {batch_ref}")
    return _trace_of(batch.id)


@blp.route("/farms/<string(maxlength=80):farm_slug>/batches/<string(maxlength=40):batch_code>")
@public_page
@blp.response(200, TraceSchema)
@blp.alt_response(404, response="NOT_FOUND")
def trace_farm_batch(farm_slug: str, batch_code: str):
    """A batch's trace, by farm and code.

    The farm's slug and the batch's code, as in the address of its public page.
    """
    batch_id = db.session.scalar(
        select(Batch.id)
        .join(Farm, Farm.id == Batch.farm_id)
        .where(Farm.slug == farm_slug, Batch.code == batch_code.upper())
    )
    if batch_id is None:
        raise NotFound(f"batch {farm_slug}/{batch_code}")
    return _trace_of(batch_id)


@blp.route("/serials/<string(maxlength=40):serial>")
@public_page
@blp.response(200, LabelTraceSchema)
@blp.alt_response(404, response="NOT_FOUND")
def trace_serial(serial: str):
    """A label's trace, by its serial.

    The trace of the batch the label was issued for, with the label's scan figures as they
    stand: reading it here is not a scan and is not counted. A serial never issued is 404.
    """
    wanted = normalise_serial(serial)
    label = db.session.scalar(select(Label).where(Label.serial == wanted)) if wanted else None
    if label is None:
        raise NotFound(f"serial {serial}")
    scanners = db.session.scalar(
        select(func.count()).select_from(LabelScanner).where(LabelScanner.label_id == label.id)
    )
    threshold = current_app.config["LABEL_SCAN_WARNING_THRESHOLD"]
    return {
        **_trace_of(label.batch_id),
        "label": {
            "serial": label.serial,
            "scans": label.scan_count,
            "first_scanned_at": label.first_scanned_at,
            "may_be_copied": scanners > threshold,
        },
    }
