"""EPCIS 2.0 capture: a partner's EPCISDocument recorded as diary entries, all or nothing.

The inverse of `traceability.epcis`, through the diary's own service (`services.record_event`,
the same checks as the farm's batch page: recalled batches, pre-harvest intervals, required
fields, times). Each `ObjectEvent` is one entry:

- the lot is the event's `quantityList` class, as the export writes it: the GS1 Digital Link
  `https://id.gs1.org/01/<GTIN-14>/10/<lot>` or our trace address `<base>/trace/<farm>/<lot>`;
- `bizStep` gives the kind (the export's table read backwards), `action` must be the one the
  export writes for it (ADD for the harvest, OBSERVE otherwise);
- `eventTime` is when it happened; `recordTime` is ours (the time of capture);
- the harvest's `quantity` and `uom` (KGM, GRM, TNE, LTR, MLT; none for a count, whose unit is
  then `nongsan:recordedUnit`) are its quantity and unit;
- the kind's diary fields, the place and the note are the `nongsan:` terms the export writes
  (e.g. `nongsan:sprayedProduct`), or their full URIs under `<base>/voc/`;
- `readPoint` and `bizLocation`, when given, must be the farm's own URIs (farm or growing area);
- an event carrying an `errorDeclaration` declares one of the batch's stored events wrong, and
  its one `correctiveEventIDs` entry (an event of the document) is recorded as its correction;
  `nongsan:corrects` on an event says the same from the other side.

`eventID` is required and kept with the entry (`EventInput.epcis_event_id`), so the export and
the query give it back, and capturing a document again records nothing twice. The document is
validated against GS1's JSON Schema first (the copy in traceability/data/); any refused event
refuses the whole document, and the caller rolls the transaction back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from flask_babel import lazy_gettext as _l
from jsonschema import Draft7Validator
from sqlalchemy import select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.validation import is_storable_text
from farms.models import Farm, GrowingArea
from farms.permissions import ensure_can_manage
from products.models import Product
from traceability import services
from traceability.diary import KIND_FIELDS
from traceability.epcis import (
    PREFIX,
    area_uri,
    event_id,
    expected_action,
    farm_uri,
    field_term,
    kind_of_biz_step,
    vocabulary_uri,
)
from traceability.models import Batch, BatchEvent, EventKind
from traceability.trace_page import load_batch

SCHEMA_PATH = Path(__file__).with_name("data") / "EPCIS-JSON-Schema.json"
#: One document is one farm's day or season of work, not an archive.
MAX_EVENTS = 500
#: GS1's documents nest a few levels; the schema's validator recurses through them.
MAX_DEPTH = 32
#: The schema's complaints listed in a refusal; the rest are counted.
MAX_LISTED_ERRORS = 50
MAX_EVENT_ID_LENGTH = 200
DIGITAL_LINK = "https://id.gs1.org/01/"
#: UN/ECE Rec 20 codes the diary records, as the unit the export reads back as that code.
UOM_UNITS = {"KGM": "kg", "GRM": "g", "TNE": "tấn", "LTR": "l", "MLT": "ml"}

Errors = dict[str, list[str]]


class CaptureRefused(DomainError):
    """The document is refused: `errors` maps JSON pointers into it to what is wrong there."""

    def __init__(self, message, errors: Errors) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass
class CaptureResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


@cache
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def pointer(*parts: object) -> str:
    """A JSON pointer (RFC 6901) to a place in the document."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "".join("/" + part for part in escaped)


def schema_errors(document: object) -> Errors:
    errors: Errors = {}
    found = sorted(validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    for error in found[:MAX_LISTED_ERRORS]:
        errors.setdefault(pointer(*error.absolute_path) or "/", []).append(error.message)
    if len(found) > MAX_LISTED_ERRORS:
        more = _l("…and %(n)d more schema errors.", n=len(found) - MAX_LISTED_ERRORS)
        errors.setdefault("/", []).append(str(more))
    return errors


def _depth(document: object) -> int:
    """How deep arrays and objects nest (counted without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                children = node.values() if isinstance(node, dict) else node
                stack.extend((child, depth + 1) for child in children)
    return deepest


def lot_batches(lot_class: str, base_url: str) -> list[Batch]:
    """The batches a lot class names: by the product's GTIN and the lot in a GS1 Digital Link
    (two farms could print the same pair: the caller refuses an ambiguous one), or by farm
    and code in our trace address."""
    trace = f"{base_url.rstrip('/')}/trace/"
    if lot_class.startswith(DIGITAL_LINK):
        gtin, ai, lot, *rest = lot_class[len(DIGITAL_LINK) :].split("/") + ["", "", ""]
        if ai != "10" or not gtin.isdigit() or not lot or any(rest[:1]):
            return []
        candidates = db.session.scalars(
            select(Batch)
            .join(Product, Product.id == Batch.product_id)
            .where(Batch.code == unquote(lot).upper(), Product.gtin.is_not(None))
        )
        return [b for b in candidates if b.product.gtin.zfill(14) == gtin.zfill(14)]
    if lot_class.startswith(trace):
        parts = lot_class[len(trace) :].split("/")
        if len(parts) != 2 or not all(parts):
            return []
        batch = load_batch(unquote(parts[0]), unquote(parts[1]))
        return [batch] if batch is not None else []
    return []


@dataclass
class _Planned:
    """One event of the document, read: where it is, which batch, what to record."""

    at: str
    event: dict
    batch: Batch
    kind: EventKind
    eid: str


class _Capture:
    def __init__(self, document: dict, actor: User, base_url: str, reach) -> None:
        self.document = document
        self.actor = actor
        self.base_url = base_url.rstrip("/")
        self.reach = reach
        self.errors: Errors = {}
        self.vocabulary = vocabulary_uri(self.base_url)

    def refuse(self, where: str, message) -> None:
        self.errors.setdefault(where, []).append(str(message))

    # Reading --------------------------------------------------------------------------

    def plan(self, events: Sequence[dict]) -> list[_Planned]:
        planned: list[_Planned] = []
        seen: set[str] = set()
        for index, event in enumerate(events):
            at = pointer("epcisBody", "eventList", index)
            found = self.read(at, event)
            if found is None:
                continue
            if found.eid in seen:
                self.refuse(at + "/eventID", _l("This eventID is used twice in the document."))
                continue
            seen.add(found.eid)
            planned.append(found)
        return planned

    def read(self, at: str, event: dict) -> _Planned | None:
        if event.get("type") != "ObjectEvent":
            self.refuse(at + "/type", _l("Only ObjectEvents are recorded in a batch's diary."))
            return None
        eid = event.get("eventID")
        if not isinstance(eid, str) or not eid or len(eid) > MAX_EVENT_ID_LENGTH:
            self.refuse(
                at + "/eventID",
                _l(
                    "Give each event an eventID (a URI of at most %(n)d characters): it makes "
                    "a repeated capture safe.",
                    n=MAX_EVENT_ID_LENGTH,
                ),
            )
            return None
        batch = self.batch_of(at, event)
        kind = kind_of_biz_step(str(event.get("bizStep", "")), self.base_url)
        if kind is None:
            self.refuse(
                at + "/bizStep",
                _l("This business step is not one a batch's diary records."),
            )
        elif event.get("action") != expected_action(kind):
            self.refuse(
                at + "/action",
                _l(
                    "This business step is recorded with action %(action)s.",
                    action=expected_action(kind),
                ),
            )
            kind = None
        if batch is None or kind is None:
            return None
        return _Planned(at, event, batch, kind, eid)

    def batch_of(self, at: str, event: dict) -> Batch | None:
        classes = {
            element.get("epcClass")
            for element in event.get("quantityList") or ()
            if isinstance(element, dict)
        }
        if not classes and event.get("epcList"):
            self.refuse(
                at + "/epcList",
                _l("No batch on Nông Sản Số has these EPCs: name the lot in quantityList."),
            )
            return None
        if len(classes) != 1:
            self.refuse(
                at + "/quantityList",
                _l("Name the batch: one lot class in quantityList (as the export writes it)."),
            )
            return None
        lot = str(classes.pop())
        batches = lot_batches(lot, self.base_url)
        if len(batches) != 1:
            message = (
                _l("No batch on Nông Sản Số has this lot.")
                if not batches
                else _l("Several farms' batches have this GTIN and lot: use the trace address.")
            )
            self.refuse(at + "/quantityList/0/epcClass", message)
            return None
        return batches[0]

    # Checking against the batch --------------------------------------------------------

    def places(self, farm: Farm) -> set[str]:
        areas = db.session.scalars(select(GrowingArea.id).where(GrowingArea.farm_id == farm.id))
        return {farm_uri(farm, self.base_url)} | {
            area_uri(farm, area_id, self.base_url) for area_id in areas
        }

    def check_places(self, planned: _Planned) -> None:
        own = self.places(planned.batch.farm)
        for name in ("readPoint", "bizLocation"):
            place = planned.event.get(name)
            if isinstance(place, dict) and place.get("id") not in own:
                self.refuse(
                    f"{planned.at}/{name}/id",
                    _l("This is not a place of the batch's farm (its farm or growing areas)."),
                )

    def term(self, event: dict, name: str):
        for key in (f"{PREFIX}:{name}", f"{self.vocabulary}{name}"):
            if key in event:
                return key, event[key]
        return f"{PREFIX}:{name}", None

    def text(self, at: str, event: dict, name: str) -> str:
        key, value = self.term(event, name)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.refuse(f"{at}/{key}", _l("Give this as text or a number."))
            return ""
        if not is_storable_text(str(value)):
            self.refuse(f"{at}/{key}", _l("This text holds characters that are not text."))
            return ""
        return str(value)

    def fields(self, planned: _Planned) -> dict[str, str]:
        at, event = planned.at, planned.event
        values = {
            spec.name: self.text(at, event, field_term(spec.name))
            for spec in KIND_FIELDS[planned.kind]
        }
        if planned.kind == EventKind.HARVEST:
            values.update(self.harvested(planned))
        return values

    def harvested(self, planned: _Planned) -> dict[str, str]:
        """The quantity and uom of the lot, in the unit the diary records for that code."""
        element = planned.event["quantityList"][0]
        if "quantity" not in element:
            return {}
        try:
            quantity = format(Decimal(str(element["quantity"])).normalize(), "f")
        except InvalidOperation:
            return {}  # the schema has refused it already
        uom = element.get("uom")
        if uom is None:
            # A count: its unit (quả, thùng…) is the one the farm typed.
            return {"quantity": quantity}
        if uom not in UOM_UNITS:
            self.refuse(
                planned.at + "/quantityList/0/uom",
                _l("Give the quantity in KGM, GRM, TNE, LTR or MLT, or as a count."),
            )
            return {}
        return {"quantity": quantity, "unit": UOM_UNITS[uom]}

    def where(self, planned: _Planned, name: str | None) -> str:
        """The pointer of a diary field the service refused, in the event."""
        at = planned.at
        if name is None:
            return at
        if name == "occurred_at":
            return at + "/eventTime"
        if name == "kind":
            return at + "/bizStep"
        if name == "corrects_id":
            return at + ("/errorDeclaration" if "errorDeclaration" in planned.event else "")
        if planned.kind == EventKind.HARVEST and name in ("quantity", "unit"):
            element = planned.event["quantityList"][0]
            if name == "quantity" and "quantity" in element:
                return at + "/quantityList/0/quantity"
            if name == "unit" and "uom" in element:
                return at + "/quantityList/0/uom"
        term = field_term(name) if name not in ("place", "note") else name
        return f"{at}/{self.term(planned.event, term)[0]}"

    # Recording ------------------------------------------------------------------------

    def run(self) -> CaptureResult:
        events = self.document["epcisBody"]["eventList"]
        planned = self.plan(events)
        for farm_id in sorted({p.batch.farm_id for p in planned}):
            self.reach(farm_id)  # another farm's lot: PermissionDenied, nothing recorded
        for item in planned:
            self.check_places(item)
        self.lock(planned)
        stored = self.stored(planned)
        corrections = self.corrections(planned, stored)
        result = CaptureResult()
        for item in planned:
            if "errorDeclaration" in item.event:
                continue  # the declaration restates a stored event; its correction is recorded
            if item.eid in stored:
                result.existing.append(item.eid)
                continue
            recorded = self.record(item, corrections.get(item.eid), stored)
            if recorded is not None:
                stored[item.eid] = recorded
                result.created.append(item.eid)
        if self.errors:
            message = _l("The EPCIS document was refused; nothing was recorded.")
            raise CaptureRefused(message, self.errors)
        return result

    def lock(self, planned: Sequence[_Planned]) -> None:
        """The batches' rows, in id order: a repeated capture waits, then finds its events."""
        ids = sorted({p.batch.id for p in planned})
        if ids:
            db.session.execute(select(Batch.id).where(Batch.id.in_(ids)).with_for_update())

    def stored(self, planned: Sequence[_Planned]) -> dict[str, BatchEvent]:
        known: dict[str, BatchEvent] = {}
        for batch in {p.batch.id: p.batch for p in planned}.values():
            for event in services.history(batch):
                known[event_id(event)] = event
        return known

    def corrections(self, planned: Sequence[_Planned], stored) -> dict[str, str]:
        """Corrective eventID -> the eventID it corrects, from both sides' statements."""
        corrects: dict[str, str] = {}
        known = set(stored) | {item.eid for item in planned}
        for item in planned:
            declaration = item.event.get("errorDeclaration")
            if declaration is not None:
                at = item.at + "/errorDeclaration"
                fixes = declaration.get("correctiveEventIDs") or []
                if item.eid not in stored:
                    self.refuse(at, _l("This declares wrong an event its batch does not have."))
                elif len(fixes) != 1 or fixes[0] not in known:
                    self.refuse(
                        at + "/correctiveEventIDs",
                        _l("Name exactly one corrective event, sent in this document."),
                    )
                else:
                    corrects[fixes[0]] = item.eid
            _, target = self.term(item.event, "corrects")
            if isinstance(target, str):
                corrects.setdefault(item.eid, target)
        return corrects

    def record(self, item: _Planned, corrects: str | None, stored) -> BatchEvent | None:
        corrected = None
        if corrects is not None:
            corrected = stored.get(corrects)
            if corrected is None or corrected.batch_id != item.batch.id:
                self.refuse(item.at, _l("The event this one corrects is not in its batch."))
                return None
            if corrected.kind != item.kind:
                self.refuse(
                    item.at + "/bizStep",
                    _l("A correction has the business step of the event it corrects."),
                )
                return None
        try:
            occurred_at = datetime.fromisoformat(item.event["eventTime"])
        except ValueError:
            self.refuse(
                item.at + "/eventTime", _l("Give the time as in 2026-06-20T10:00:00+07:00.")
            )
            return None
        # Every event is checked (and recorded, to be rolled back) so that one answer lists
        # all that is wrong in the document.
        entry = services.EventInput(
            kind=item.kind.value,
            occurred_at=occurred_at,
            fields=self.fields(item),
            place=self.text(item.at, item.event, "place"),
            note=self.text(item.at, item.event, "note"),
            corrects_id=corrected.id if corrected else None,
            epcis_event_id=item.eid,
        )
        try:
            return services.record_event(item.batch, self.actor, entry)
        except DomainError as error:
            self.refuse(self.where(item, error.field), error.message)
            return None


def capture(
    document: object,
    actor: User,
    base_url: str,
    *,
    reach: Callable[[int], object] | None = None,
) -> CaptureResult:
    """Record the document's events in their batches' diaries (all or none: on
    CaptureRefused or PermissionDenied the caller rolls back). `reach(farm_id)` refuses a farm
    the caller may not act on (by default: one the actor does not manage)."""
    if not isinstance(document, dict) or document.get("type") != "EPCISDocument":
        raise CaptureRefused(
            _l("Send an EPCISDocument."), {"/type": [str(_l("Send an EPCISDocument."))]}
        )
    events = (document.get("epcisBody") or {}).get("eventList")
    if isinstance(events, list) and len(events) > MAX_EVENTS:
        message = _l("At most %(n)d events per document.", n=MAX_EVENTS)
        raise CaptureRefused(message, {"/epcisBody/eventList": [str(message)]})
    if _depth(document) > MAX_DEPTH:
        message = _l("The document is nested too deeply.")
        raise CaptureRefused(message, {"/": [str(message)]})
    errors = schema_errors(document)
    if errors:
        raise CaptureRefused(_l("The document does not follow the EPCIS 2.0 schema."), errors)

    def manages(farm_id: int) -> None:
        ensure_can_manage(actor, db.session.get(Farm, farm_id))

    return _Capture(document, actor, base_url, reach or manages).run()
