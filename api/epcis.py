"""EPCIS 2.0 for traceability systems: capture a farm's events, query its batches' events.

Capture (`POST /epcis/capture`) records an EPCISDocument through traceability.epcis_capture
and answers synchronously: 201 with the eventIDs recorded (200 when every event was recorded
before), where the standard's capture interface answers 202 and a capture job to poll. Query
(`GET /epcis/events`, `GET /epcis/events/{eventID}`) answers an EPCISQueryDocument built by
the export's own code (traceability.epcis), with the REST binding's parameters that fit.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import marshmallow as ma
from flask import current_app, json, request
from flask.views import MethodView
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_smorest import abort
from sqlalchemy import select

from api.auth import authorized, caller, current_credential
from api.blueprint import api_blueprint
from api.paging import MAX_LIMIT, decode_id_cursor, encode_cursor
from api.problems import problem
from api.reach import farm_in_reach
from api.schemas import UtcTime
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from farms.permissions import managed_farms
from traceability import services
from traceability.epcis import (
    CAPTURED_EVENT_ID,
    batch_events,
    event_id,
    kind_of_biz_step,
    master_data,
    query_document,
)
from traceability.epcis_capture import MAX_EVENTS, CaptureRefused, capture, lot_batches
from traceability.labels import normalise_serial
from traceability.models import Batch, BatchEvent, EventKind, Label

blp = api_blueprint(
    "epcis",
    "/epcis",
    "GS1 EPCIS 2.0: capture a farm's events as JSON-LD documents, query its batches' events",
)


@blp.errorhandler(PermissionDenied)
def _denied(error: PermissionDenied):
    """403: PermissionDenied is a DomainError, which api_blueprint's handler makes a 422."""
    db.session.rollback()
    return problem(403, str(error.message))


#: A document of a farm's season is far smaller; anything bigger is refused unread.
MAX_DOCUMENT_BYTES = 1024 * 1024
CAPTURE_TYPES = ("application/json", "application/ld+json")
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
#: The REST binding separates several values of one parameter with "|".
MAX_VALUES = 20
DEFAULT_PER_PAGE = 30
#: Events read at a time while looking for an eventID derived from a chain hash.
FIND_CHUNK = 500

#: The outline of what is captured; GS1's EPCIS-JSON-Schema.json decides the rest.
_DOCUMENT = {
    "type": "object",
    "description": "A GS1 EPCIS 2.0 EPCISDocument (JSON-LD), valid under GS1's "
    "EPCIS-JSON-Schema.json, its events naming lots of the token's farms",
    "required": ["@context", "type", "schemaVersion", "creationDate", "epcisBody"],
    "properties": {
        "type": {"type": "string", "enum": ["EPCISDocument"]},
        "epcisBody": {
            "type": "object",
            "required": ["eventList"],
            "properties": {"eventList": {"type": "array", "maxItems": MAX_EVENTS}},
        },
    },
}
_QUERY_DOCUMENT = {
    "type": "object",
    "description": "A GS1 EPCIS 2.0 EPCISQueryDocument (JSON-LD); it validates against "
    "GS1's EPCIS-JSON-Schema.json",
    "required": ["@context", "type", "epcisBody"],
    "properties": {"type": {"type": "string", "enum": ["EPCISQueryDocument"]}},
}


class CapturedSchema(ma.Schema):
    event_ids = ma.fields.List(
        ma.fields.String(),
        required=True,
        data_key="eventIDs",
        metadata={"description": "The events recorded by this capture"},
    )
    existing_event_ids = ma.fields.List(
        ma.fields.String(),
        required=True,
        data_key="existingEventIDs",
        metadata={"description": "The document's events recorded before (not again)"},
    )


@blp.route("/capture")
class Capture(MethodView):
    @authorized(blp, "batches:write")
    @blp.doc(
        requestBody={
            "required": True,
            "content": {kind: {"schema": _DOCUMENT} for kind in CAPTURE_TYPES},
        }
    )
    @blp.response(201, CapturedSchema, description="Events recorded (the eventIDs listed)")
    @blp.alt_response(200, schema=CapturedSchema, description="Every event was recorded before")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self):
        """Capture an EPCISDocument: each ObjectEvent becomes an entry of its batch's diary.

        The lot (quantityList's epcClass, a GS1 Digital Link or our trace address) names the
        batch, of a farm this token may act on. All or nothing: one refused event refuses the
        document, with a problem listing what is wrong by JSON pointer. Synchronous: 201 with
        the recorded eventIDs, 200 when all were recorded before (eventID makes a repeated
        capture safe), never the standard's 202 and capture job.
        """
        document = _document()
        try:
            result = capture(
                document,
                caller(),
                current_app.config["BASE_URL"],
                reach=farm_in_reach,
            )
        except CaptureRefused as refused:
            db.session.rollback()
            return problem(422, str(refused.message), errors=refused.errors)
        db.session.commit()
        body = {"event_ids": result.created, "existing_event_ids": result.existing}
        return body, 201 if result.created else 200


def _document() -> object:
    kind = (request.mimetype or "").lower()
    if kind not in CAPTURE_TYPES:
        abort(415, message=gettext("Send the EPCIS document as application/ld+json."))
    length = request.content_length
    if length is not None and length > MAX_DOCUMENT_BYTES:
        abort(413, message=gettext("An EPCIS document may have at most 1 MB."))
    raw = request.get_data(cache=False)
    if len(raw) > MAX_DOCUMENT_BYTES:
        abort(413, message=gettext("An EPCIS document may have at most 1 MB."))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # nested deeper than the parser goes is not ours
        raise DomainError(_l("The document is not JSON.")) from None


class EventQueryArgs(ma.Schema):
    eventType = ma.fields.String(  # noqa: N815 (the REST binding's names)
        load_default=None,
        validate=ma.validate.OneOf(EVENT_TYPES),
        metadata={"description": "Only events of this type (ours are all ObjectEvent)"},
    )
    EQ_bizStep = ma.fields.String(  # noqa: N815
        load_default=None,
        validate=ma.validate.Length(max=2000),
        metadata={"description": "Business steps, several separated by |"},
    )
    GE_eventTime = UtcTime(  # noqa: N815
        load_default=None, metadata={"description": "Events at or after this time"}
    )
    LT_eventTime = UtcTime(  # noqa: N815
        load_default=None, metadata={"description": "Events before this time"}
    )
    MATCH_epc = ma.fields.String(  # noqa: N815
        load_default=None,
        validate=ma.validate.Length(max=2000),
        metadata={
            "description": "Items by their label's address (/T/<serial>, or a Digital Link "
            "with /21/<serial>): the events of the item's batch; a lot class is taken too. "
            "Several separated by |"
        },
    )
    MATCH_epcClass = ma.fields.String(  # noqa: N815
        load_default=None,
        validate=ma.validate.Length(max=2000),
        metadata={"description": "Lot classes (GS1 Digital Link or trace address), |-separated"},
    )
    MATCH_anyEPCClass = ma.fields.String(  # noqa: N815
        load_default=None,
        validate=ma.validate.Length(max=2000),
        metadata={"description": "As MATCH_epcClass (our events carry only the lot's class)"},
    )
    farm_id = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "One farm the token may act on; default: all of them"},
    )
    perPage = ma.fields.Integer(  # noqa: N815
        load_default=DEFAULT_PER_PAGE,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Events per page, 1 to {MAX_LIMIT}"},
    )
    nextPageToken = ma.fields.String(  # noqa: N815
        load_default=None,
        validate=ma.validate.Length(max=200),
        metadata={"description": "From the previous page's Link header (rel=next)"},
    )


def _values(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    values = [value for value in raw.split("|") if value][:MAX_VALUES]
    return values


def _farm_ids(farm_id: int | None) -> list[int]:
    """The farms the query covers: the one asked for, a farm key's own, or a person's."""
    if farm_id is not None:
        return [farm_in_reach(farm_id).id]
    credential = current_credential()
    if credential.farm_id is not None:
        return [credential.farm_id]
    return [farm.id for farm in managed_farms(caller())]


def _matching(args: dict):
    """The statement of the events asked for, or None when nothing can match."""
    base_url = current_app.config["BASE_URL"]
    statement = (
        select(BatchEvent)
        .join(Batch, Batch.id == BatchEvent.batch_id)
        .where(
            Batch.farm_id.in_(_farm_ids(args["farm_id"])),
            BatchEvent.kind != EventKind.RECALL.value,
        )
    )
    if args["eventType"] not in (None, "ObjectEvent"):
        return None
    steps = _values(args["EQ_bizStep"])
    if steps is not None:
        kinds = {kind_of_biz_step(step, base_url) for step in steps} - {None}
        if not kinds:
            return None
        statement = statement.where(BatchEvent.kind.in_([kind.value for kind in kinds]))
    if args["GE_eventTime"] is not None:
        statement = statement.where(BatchEvent.occurred_at >= args["GE_eventTime"])
    if args["LT_eventTime"] is not None:
        statement = statement.where(BatchEvent.occurred_at < args["LT_eventTime"])
    for name in ("MATCH_epc", "MATCH_epcClass", "MATCH_anyEPCClass"):
        lots = _values(args[name])
        if lots is not None:
            ids = {batch.id for lot in lots for batch in lot_batches(lot, base_url)}
            if name == "MATCH_epc":
                ids |= {batch_id for uri in lots if (batch_id := _labelled_batch(uri))}
            if not ids:
                return None
            statement = statement.where(BatchEvent.batch_id.in_(ids))
    return statement


def _labelled_batch(uri: str) -> int | None:
    """The batch of the item a label's address names (our /T/<serial>, or a GS1 Digital
    Link ending /21/<serial>, in any case as QR codes print them)."""
    path = urlsplit(uri).path.upper()
    for marker in ("/21/", "/T/"):
        if marker in path:
            serial = normalise_serial(path.rsplit(marker, 1)[1])
            if serial:
                return db.session.scalar(select(Label.batch_id).where(Label.serial == serial))
    return None


def _page(args: dict) -> tuple[list[BatchEvent], str | None]:
    statement = _matching(args)
    if statement is None:
        return [], None
    if args["nextPageToken"]:
        after = decode_id_cursor(args["nextPageToken"], "nextPageToken")
        statement = statement.where(BatchEvent.id > after)
    limit = args["perPage"]
    rows = list(db.session.scalars(statement.order_by(BatchEvent.id).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor(rows[limit - 1].id)


def _answer(query_name: str, events: list[BatchEvent], headers: dict | None = None):
    """The EPCISQueryDocument of these events, each exported as the batch's export does."""
    base_url = current_app.config["BASE_URL"]
    wanted = {event.id for event in events}
    exported: dict[int, dict] = {}
    vocabularies: dict[tuple, dict] = {}
    for batch_id in dict.fromkeys(event.batch_id for event in events):
        batch = db.session.get(Batch, batch_id)
        for event, found in batch_events(batch, services.history(batch), base_url):
            if event.id in wanted:
                exported[event.id] = found
        for vocabulary in master_data(batch, base_url):
            element = vocabulary["vocabularyElementList"][0]["id"]
            vocabularies.setdefault((vocabulary["type"], element), vocabulary)
    document = query_document(
        query_name,
        [exported[event.id] for event in events],
        list(vocabularies.values()),
        base_url,
    )
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False), mimetype="application/ld+json"
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@blp.route("/events")
class Events(MethodView):
    @authorized(blp, "batches:read")
    @blp.arguments(EventQueryArgs, location="query")
    @blp.response(200, _QUERY_DOCUMENT, content_type="application/ld+json")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """The events of the batches of the farms this token may act on, oldest recorded
        first, as an EPCISQueryDocument. Paged: the Link header (rel=next) carries the
        next page's nextPageToken."""
        events, token = _page(args)
        headers = {}
        if token is not None:
            query = {**request.args.to_dict(), "nextPageToken": token}
            headers["Link"] = f'<{request.base_url}?{urlencode(query)}>; rel="next"'
        return _answer("SimpleEventQuery", events, headers)


@blp.route("/events/<path:event_id>")
class Event(MethodView):
    @authorized(blp, "batches:read")
    @blp.response(200, _QUERY_DOCUMENT, content_type="application/ld+json")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, event_id: str):
        """One event by its eventID, as an EPCISQueryDocument of that event."""
        found = _find(event_id)
        if found is None:
            raise NotFound()
        return _answer("SimpleEventQuery", [found])


def _find(wanted: str) -> BatchEvent | None:
    """The event of a farm in reach with this eventID: a captured one by its stored eventID,
    else one whose chain hash gives it (read through, as the hash cannot be reversed)."""
    if len(wanted) > 500:
        return None
    in_reach = (
        select(BatchEvent)
        .join(Batch, Batch.id == BatchEvent.batch_id)
        .where(
            Batch.farm_id.in_(_farm_ids(None)),
            BatchEvent.kind != EventKind.RECALL.value,
        )
    )
    captured = db.session.scalars(
        in_reach.where(BatchEvent.details[CAPTURED_EVENT_ID].as_string() == wanted)
    ).first()
    if captured is not None or not wanted.startswith("urn:uuid:"):
        return captured
    after = 0
    while True:  # in chunks by id: no server-side cursor left open when found
        chunk = db.session.scalars(
            in_reach.where(BatchEvent.id > after).order_by(BatchEvent.id).limit(FIND_CHUNK)
        ).all()
        for event in chunk:
            if event_id(event) == wanted:
                return event
        if len(chunk) < FIND_CHUNK:
            return None
        after = chunk[-1].id
