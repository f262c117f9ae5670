"""A farm's batches and their farming diary over the API, through traceability.services as
the batch pages use it.

The diary is append-only here as everywhere: events are recorded (POST) and read, never
changed or deleted (no PUT, PATCH or DELETE exists, so those answer 405); a correction is a
new event whose `corrects_id` names the event it corrects. A recalled batch refuses a
harvest, packing or shipping (409), as the page does.
"""

from __future__ import annotations

import math
from decimal import Decimal

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.conflicts import state_refusals_conflict
from api.paging import PageArgs, keyset_page, next_link, page_body, page_schema
from api.reach import farm_in_reach
from api.schemas import ROW_ID, UtcTime, row_id
from app.clock import local_today
from app.errors import NotFound
from app.extensions import db
from products.models import Product
from traceability import services
from traceability.diary import KIND_FIELDS, KIND_ORDER
from traceability.models import Batch, BatchEvent, BatchStatus, LabelRun

blp = api_blueprint(
    "farm-batches",
    f"/farms/<{ROW_ID}:farm_id>/batches",
    "A farm's batches (lots) and their append-only farming diary: a correction is a new "
    "event naming the one it corrects.",
)


def _kinds_description() -> str:
    """The fields each kind of event takes, from the table the diary's form uses."""
    parts = []
    for kind in KIND_ORDER:
        fields = ", ".join(
            f"{spec.name}{'' if spec.required else '?'}" for spec in KIND_FIELDS[kind]
        )
        parts.append(f"`{kind}` ({fields or 'the note'})")
    return "By kind (`?` is optional): " + "; ".join(parts) + "."


# Schemas -----------------------------------------------------------------------------------

#: No kind has more fields than this; more is not a diary entry.
MAX_DETAILS = 20


def _few_fields(details: dict) -> None:
    if len(details) > MAX_DETAILS:
        raise ma.ValidationError(f"Longer than maximum length {MAX_DETAILS}.")


class DetailValue(ma.fields.Field):
    """A diary field's value: text, or a number (sent on as the form would type it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):  # JSON may say NaN
            raise self.make_error("invalid")
        text = str(value)
        if len(text) > 300:
            raise self.make_error("invalid")
        return text

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    default_error_messages = {"invalid": "Not a valid string or number."}


class EventSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    seq = ma.fields.Integer(required=True, metadata={"description": "1, 2, 3… as recorded"})
    kind = ma.fields.String(required=True)
    occurred_at = UtcTime(required=True)
    recorded_at = UtcTime(required=True)
    recorded_by = ma.fields.String(required=True, attribute="recorded_by_name")
    place = ma.fields.String(required=True)
    details = ma.fields.Dict(
        keys=ma.fields.String(),
        values=DetailValue(metadata={"type": ["string", "number"]}),
        required=True,
    )
    note = ma.fields.String(required=True)
    corrects_id = ma.fields.Integer(required=True, allow_none=True)
    superseded = ma.fields.Boolean(
        required=True, metadata={"description": "A later event corrects this one"}
    )
    hash = ma.fields.String(required=True, metadata={"description": "SHA-256 of the chain"})


class NewEventSchema(ma.Schema):
    kind = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=20),
        metadata={"description": "What happened; left out for a correction (its kind)"},
    )
    occurred_at = UtcTime(required=True, metadata={"description": "When it happened"})
    details = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(max=40)),
        values=DetailValue(metadata={"type": ["string", "number"]}),
        load_default=dict,
        validate=_few_fields,
        metadata={"description": _kinds_description(), "maxProperties": MAX_DETAILS},
    )
    place = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    corrects_id = row_id(
        load_default=None,
        metadata={"description": "The event this one corrects (its latest version)"},
    )
    phi_override_reason = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=300),
        metadata={
            "description": "Operators only: why a harvest may break the spraying's "
            "pre-harvest interval"
        },
    )


class BatchSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    product_id = ma.fields.Integer(required=True)
    product_name = ma.fields.String(required=True)
    growing_area_id = ma.fields.Integer(required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": list(BatchStatus)})
    harvested_on = ma.fields.Date(required=True, allow_none=True)
    quantity = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "Harvested, a decimal"}
    )
    unit = ma.fields.String(required=True)
    event_count = ma.fields.Integer(required=True)
    created_at = UtcTime(required=True)
    recalled_at = UtcTime(required=True, allow_none=True)
    recall_reason = ma.fields.String(required=True, allow_none=True)


class LabelRunSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    format = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)
    created_at = UtcTime(required=True)


class BatchDetailSchema(BatchSchema):
    events = ma.fields.List(ma.fields.Nested(EventSchema), required=True)
    label_runs = ma.fields.List(ma.fields.Nested(LabelRunSummarySchema), required=True)


class BatchFilterArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(list(BatchStatus)))
    product_id = row_id(load_default=None)


class NewBatchSchema(ma.Schema):
    product_id = row_id(required=True)
    code = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=40),
        metadata={"description": "The lot code (e.g. VT2606-A); suggested when left out"},
    )
    growing_area_id = row_id(load_default=None)


# Reading -----------------------------------------------------------------------------------


def farm_batch(farm_id: int, batch_id: int) -> Batch:
    """The batch, when it is this farm's (and the token reaches the farm)."""
    farm = farm_in_reach(farm_id)
    batch = db.session.get(Batch, batch_id)
    if batch is None or batch.farm_id != farm.id:
        raise NotFound(f"Batch {batch_id}")
    return batch


EVENT_COLUMNS = (
    "id",
    "seq",
    "kind",
    "occurred_at",
    "recorded_at",
    "recorded_by_name",
    "place",
    "details",
    "note",
    "corrects_id",
    "hash",
)


def _event_bodies(events, corrections) -> list[dict]:
    """The events as the API shows them; `corrections` are the batch's events that may
    correct them (a superseded event stays in the diary, marked)."""
    corrected = {e.corrects_id for e in corrections if e.corrects_id}
    return [
        {
            **{column: getattr(e, column) for column in EVENT_COLUMNS},
            "superseded": e.id in corrected,
        }
        for e in events
    ]


def _batch_body(batch: Batch) -> dict:
    quantity: Decimal | None = batch.quantity
    return {
        **{k: getattr(batch, k) for k in BatchSchema._declared_fields if hasattr(batch, k)},
        "product_name": batch.product.name,
        "quantity": None if quantity is None else format(quantity.normalize(), "f"),
    }


def _batch_detail(batch: Batch) -> dict:
    events = services.history(batch)
    runs = db.session.scalars(
        select(LabelRun).where(LabelRun.batch_id == batch.id).order_by(LabelRun.id.desc())
    ).all()
    return {**_batch_body(batch), "events": _event_bodies(events, events), "label_runs": runs}


@blp.route("")
class FarmBatches(MethodView):
    @authorized(blp, "batches:read")
    @blp.arguments(BatchFilterArgs, location="query")
    @blp.response(200, page_schema(BatchSchema, "BatchPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args, farm_id: int):
        """The farm's batches, newest first."""
        farm = farm_in_reach(farm_id)
        # Each item names its product: loaded with the page, not once per batch.
        statement = (
            select(Batch).where(Batch.farm_id == farm.id).options(selectinload(Batch.product))
        )
        if args["status"]:
            statement = statement.where(Batch.status == args["status"])
        if args["product_id"]:
            statement = statement.where(Batch.product_id == args["product_id"])
        batches, cursor = keyset_page(statement, Batch.id, args)
        return page_body([_batch_body(b) for b in batches], cursor), 200, next_link(cursor)

    @authorized(blp, "batches:write")
    @blp.arguments(NewBatchSchema)
    @blp.response(201, BatchDetailSchema, headers={"Location": {"schema": {"type": "string"}}})
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, args, farm_id: int):
        """Start a batch of one of the farm's products (its code is suggested if left out)."""
        farm = farm_in_reach(farm_id)
        code = args["code"]
        if code is None:
            product = db.session.get(Product, args["product_id"])
            mine = product is not None and product.farm_id == farm.id
            # Not this farm's product: create_batch refuses it before it reads any code.
            code = services.suggest_code(farm, product, local_today()) if mine else ""
        batch = services.create_batch(
            farm,
            caller(),
            product_id=args["product_id"],
            code=code,
            growing_area_id=args["growing_area_id"],
        )
        db.session.commit()
        location = url_for("farm-batches.FarmBatch", farm_id=farm.id, batch_id=batch.id)
        return _batch_detail(batch), 201, {"Location": location}


@blp.route(f"/<{ROW_ID}:batch_id>")
class FarmBatch(MethodView):
    @authorized(blp, "batches:read")
    @blp.response(200, BatchDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, batch_id: int):
        """One batch with its diary (every event, corrected ones marked) and label runs."""
        return _batch_detail(farm_batch(farm_id, batch_id))


# The diary ---------------------------------------------------------------------------------


@blp.route(f"/<{ROW_ID}:batch_id>/events")
class BatchEvents(MethodView):
    @authorized(blp, "batches:read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(EventSchema, "BatchEventPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args, farm_id: int, batch_id: int):
        """The batch's diary in the order it was recorded."""
        batch = farm_batch(farm_id, batch_id)
        statement = select(BatchEvent).where(BatchEvent.batch_id == batch.id)
        events, cursor = keyset_page(statement, BatchEvent.id, args, descending=False)
        corrections = db.session.scalars(
            select(BatchEvent).where(
                BatchEvent.batch_id == batch.id, BatchEvent.corrects_id.is_not(None)
            )
        ).all()
        body = page_body(_event_bodies(list(events), list(corrections)), cursor)
        return body, 200, next_link(cursor)

    @authorized(blp, "batches:write")
    @blp.arguments(NewEventSchema)
    @blp.response(201, EventSchema, headers={"Location": {"schema": {"type": "string"}}})
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, args, farm_id: int, batch_id: int):
        """Record one event (a harvest: kind `harvest`, details quantity and unit), or a
        correction of an earlier one (`corrects_id`). 409 when the batch refuses it."""
        batch = farm_batch(farm_id, batch_id)
        entry = services.EventInput(
            kind=args["kind"],
            occurred_at=args["occurred_at"],
            fields=args["details"],
            place=args["place"],
            note=args["note"],
            corrects_id=args["corrects_id"],
            phi_override_reason=args["phi_override_reason"],
        )
        with state_refusals_conflict():
            event = services.record_event(batch, caller(), entry)
        db.session.commit()
        location = url_for(
            "farm-batches.BatchEvent", farm_id=farm_id, batch_id=batch.id, event_id=event.id
        )
        return _event_bodies([event], [])[0], 201, {"Location": location}


@blp.route(f"/<{ROW_ID}:batch_id>/events/<{ROW_ID}:event_id>", endpoint="BatchEvent")
class OneBatchEvent(MethodView):
    @authorized(blp, "batches:read")
    @blp.response(200, EventSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, batch_id: int, event_id: int):
        """One event of the diary (never changed: correct it with a new event)."""
        batch = farm_batch(farm_id, batch_id)
        event = db.session.get(BatchEvent, event_id)
        if event is None or event.batch_id != batch.id:
            raise NotFound(f"Event {event_id}")
        correction = db.session.scalars(
            select(BatchEvent).where(BatchEvent.corrects_id == event.id)
        ).all()
        return _event_bodies([event], list(correction))[0]
