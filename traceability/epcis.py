"""A batch's history as a GS1 EPCIS 2.0 document (JSON-LD), for importers' and buyers' systems.

One `ObjectEvent` per diary entry, in `seq` order, corrected entries and corrections included:

    kind          action   bizStep                      where
    harvest       ADD      commissioning  (+ ilmd)      readPoint area, bizLocation farm
    packing       OBSERVE  packing                      bizLocation farm
    shipping      OBSERVE  shipping                     readPoint farm
    receiving     OBSERVE  receiving                    (the receiver has no URI of ours)
    inspection    OBSERVE  inspecting                   bizLocation farm
    planting, fertilising, spraying, irrigation
                  OBSERVE  <base>/voc/bizstep/<kind>    readPoint area, bizLocation farm
    note          OBSERVE  <base>/voc/bizstep/note      bizLocation farm

CBV has no business step for farm work, so those kinds get our own URI (allowed by EPCIS).
Every event carries the lot in `quantityList`: the GS1 Digital Link class
`https://id.gs1.org/01/<GTIN-14>/10/<lot>` when the product has a GTIN, else the batch's
trace address. Only the harvest states a quantity (with a UN/ECE Rec 20 `uom` for a weight
or volume, none for pieces); the other entries did not measure the lot. The harvest's
`ilmd` holds the CBV lot master data (`cbvmda:lotNumber`, `countryOfOrigin`,
`harvestStartDate`/`harvestEndDate`, both the recorded harvest time since the diary records
one moment) and the planting-area code. A diary field without a standard home is a
`nongsan:` extension on the event (e.g. `nongsan:activeIngredient`), named after the field
in `traceability.diary`, so a new field is exported without a change here. The recorder's
name, photo and lab-report storage keys stay out. The header's master data names what our
URIs stand for (farm, growing area with its code and position, product).

`eventID` is `urn:uuid:` + uuid5 of the event's stored chain hash: stable, but not the CBV
event hash (`ni:///sha-256;...`), which is computed differently. Our own chain hash and
position are `nongsan:chainHash` and `nongsan:seq`.

Corrections: an EPCIS `errorDeclaration` marks an event as erroneous and lists the events
that correct it. Our corrected entry keeps its original content and carries one, with
`reason` "incorrect_data", `declarationTime` when its first correction was recorded and
`correctiveEventIDs` the eventIDs of its corrections; each correction points back with
`nongsan:corrects`. A consumer that drops declared-erroneous events sees what stands
(`services.effective_events`), and the whole history stays readable.

Recalls are not invented as events: a recalled batch's document has a top-level
`nongsan:recall` with when and why, as recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from app.clock import VIETNAM
from app.db import utcnow
from app.geo import fold_accents
from traceability.models import Batch, BatchEvent, EventKind

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#: Prefix of our extension terms; it stands for <base_url>/voc/.
PREFIX = "nongsan"
#: The farms are in Vietnam (ISO 3166-1 alpha-2).
COUNTRY = "VN"
#: Fixed namespace of our event UUIDs: the same event hash always gives the same eventID.
EVENT_ID_NAMESPACE = uuid.UUID("a32dae6f-93d5-4b14-85d4-8e9a75efa85a")

#: CBV 2.0 business steps of the kinds that have one; the others get our own URI.
STANDARD_BIZ_STEPS = {
    EventKind.HARVEST: "commissioning",
    EventKind.PACKING: "packing",
    EventKind.SHIPPING: "shipping",
    EventKind.RECEIVING: "receiving",
    EventKind.INSPECTION: "inspecting",
}
#: Entries made in the growing area: their read point is the area, if the batch has one.
_IN_THE_FIELD = {
    EventKind.PLANTING,
    EventKind.FERTILISING,
    EventKind.SPRAYING,
    EventKind.IRRIGATION,
    EventKind.HARVEST,
}
_AT_THE_FARM = {EventKind.PACKING, EventKind.INSPECTION, EventKind.NOTE}

#: Diary fields whose extension term is not just the field name in camelCase.
FIELD_TERMS = {
    "product": "sprayedProduct",
    "input": "fertiliserInput",
    "phi_days": "preHarvestIntervalDays",
    "phi_override": "preHarvestIntervalOverride",
    "to_whom": "shippedTo",
    # The harvest's quantity and unit as typed; quantityList has them in standard units.
    "quantity": "recordedQuantity",
    "unit": "recordedUnit",
}
#: The detail that keeps a captured event's own eventID (traceability.epcis_capture).
CAPTURED_EVENT_ID = "event_id"
#: Internal storage keys (the lab report is not published through this document), and the
#: captured eventID, which the event states as its `eventID`.
_NOT_EXPORTED = {"report_key", CAPTURED_EVENT_ID}

#: Units of weight and volume as typed (accents folded): UN/ECE Rec 20 code and factor.
#: Tạ and yến are exactly 100 kg and 10 kg.
MEASURE_UNITS = {
    "kg": ("KGM", 1),
    "kgs": ("KGM", 1),
    "kilo": ("KGM", 1),
    "kilogram": ("KGM", 1),
    "ky": ("KGM", 1),
    "g": ("GRM", 1),
    "gam": ("GRM", 1),
    "gram": ("GRM", 1),
    "tan": ("TNE", 1),
    "t": ("TNE", 1),
    "tonne": ("TNE", 1),
    "ta": ("KGM", 100),
    "yen": ("KGM", 10),
    "l": ("LTR", 1),
    "lit": ("LTR", 1),
    "litre": ("LTR", 1),
    "liter": ("LTR", 1),
    "ml": ("MLT", 1),
}
#: Units that count pieces or packages: the quantity is a count, without a uom.
COUNT_UNITS = {
    "qua", "trai", "cai", "con", "cay", "bo", "buong", "cu", "bap", "thung", "hop", "tui",
    "bao", "khay", "chai", "hu", "goi", "piece", "pieces", "pcs", "box", "boxes",
}  # fmt: skip


def batch_document(
    batch: Batch, events: Sequence[BatchEvent], base_url: str, now: datetime | None = None
) -> dict:
    """The EPCISDocument of the batch's events (as from `services.history`).

    Plain JSON values only; the same input gives the same document except `creationDate`.
    """
    uris = _Uris(batch, base_url)
    document = {
        "@context": context(uris.vocabulary),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _utc(now or utcnow()),
        "epcisHeader": {"epcisMasterData": {"vocabularyList": _master_data(batch, uris)}},
        "epcisBody": {"eventList": [found for _, found in batch_events(batch, events, base_url)]},
    }
    if batch.is_recalled and batch.recalled_at is not None:
        document[f"{PREFIX}:recall"] = {
            f"{PREFIX}:recalledAt": _utc(batch.recalled_at),
            f"{PREFIX}:reason": batch.recall_reason or "",
        }
    return document


def batch_events(
    batch: Batch, events: Sequence[BatchEvent], base_url: str
) -> list[tuple[BatchEvent, dict]]:
    """Each exported entry of the batch's history (all of it: corrections point both ways)
    with its ObjectEvent, in `seq` order. The export and the query API both use this."""
    uris = _Uris(batch, base_url)
    ordered = sorted(events, key=lambda event: event.seq)
    by_id = {event.id: event for event in ordered}
    corrections: dict[int, list[BatchEvent]] = {}
    for event in ordered:
        if event.corrects_id:
            corrections.setdefault(event.corrects_id, []).append(event)

    event_list = []
    for event in ordered:
        if event.kind == EventKind.RECALL:
            continue  # EPCIS has no recall event: the document states it (nongsan:recall)
        epcis_event = _event(batch, event, uris)
        fixes = corrections.get(event.id)
        if fixes:
            epcis_event["errorDeclaration"] = {
                "declarationTime": _utc(fixes[0].recorded_at),
                "reason": "incorrect_data",
                "correctiveEventIDs": [event_id(fix) for fix in fixes],
            }
        corrected = by_id.get(event.corrects_id) if event.corrects_id else None
        if corrected is not None:
            epcis_event[f"{PREFIX}:corrects"] = event_id(corrected)
        epcis_event.update(_extensions(event))
        event_list.append((event, epcis_event))
    return event_list


def context(vocabulary: str) -> list:
    """The JSON-LD context: GS1's, and our prefix for the extension terms."""
    return [EPCIS_CONTEXT, {PREFIX: vocabulary}]


def vocabulary_uri(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/voc/"


def master_data(batch: Batch, base_url: str) -> list[dict]:
    """The vocabularies naming the batch's farm, lot and growing area (as in the export)."""
    return _master_data(batch, _Uris(batch, base_url))


def query_document(
    query_name: str,
    events: Sequence[dict],
    vocabularies: Sequence[dict],
    base_url: str,
    now: datetime | None = None,
) -> dict:
    """An EPCISQueryDocument (the REST binding's answer) of events made by `batch_events`."""
    body: dict = {"eventList": list(events)}
    if vocabularies:
        body["vocabularyList"] = list(vocabularies)
    return {
        "@context": context(vocabulary_uri(base_url)),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _utc(now or utcnow()),
        "epcisBody": {"queryResults": {"queryName": query_name, "resultsBody": body}},
    }


def event_id(event: BatchEvent) -> str:
    """A URI that stays the same for the event: the eventID it was captured with (kept in
    its details, under the chain's hash), else one derived from its stored chain hash."""
    captured = (event.details or {}).get(CAPTURED_EVENT_ID)
    if captured:
        return str(captured)
    return f"urn:uuid:{uuid.uuid5(EVENT_ID_NAMESPACE, event.hash)}"


def epc_class(batch: Batch, base_url: str) -> str:
    """The lot's class: GS1 Digital Link with the product's GTIN, else the trace address."""
    gtin = batch.product.gtin
    if gtin:
        return f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{quote(batch.code, safe='')}"
    farm = quote(batch.farm.slug, safe="")
    return f"{base_url.rstrip('/')}/trace/{farm}/{quote(batch.code, safe='')}"


class _Uris:
    """Our own identifiers for what has no GS1 key (no GLN for farms or growing areas)."""

    def __init__(self, batch: Batch, base_url: str) -> None:
        base = base_url.rstrip("/")
        self.vocabulary = vocabulary_uri(base)
        self.farm = farm_uri(batch.farm, base)
        area = batch.growing_area
        self.area = area_uri(batch.farm, area.id, base) if area is not None else None
        self.lot = epc_class(batch, base)

    def biz_step(self, kind: str) -> str:
        try:
            return STANDARD_BIZ_STEPS[EventKind(kind)]
        except (KeyError, ValueError):
            return f"{self.vocabulary}bizstep/{quote(kind, safe='')}"


#: The ways CBV 2.0 writes a standard business step: the bare word, its GS1 Web URI, its URN.
_CBV_STEP_FORMS = ("{}", "https://ref.gs1.org/cbv/BizStep-{}", "urn:epcglobal:cbv:bizstep:{}")


def kind_of_biz_step(biz_step: str, base_url: str) -> EventKind | None:
    """The diary kind a business step stands for, as the export writes it (the inverse of
    its table); None for a step we do not record."""
    for kind, step in STANDARD_BIZ_STEPS.items():
        if biz_step in {form.format(step) for form in _CBV_STEP_FORMS}:
            return kind
    own = f"{vocabulary_uri(base_url)}bizstep/"
    if biz_step.startswith(own):
        return _kind(biz_step[len(own) :])
    return None


def expected_action(kind: EventKind) -> str:
    """The harvest commissions the lot (ADD); every other entry observes it."""
    return "ADD" if kind == EventKind.HARVEST else "OBSERVE"


def field_term(name: str) -> str:
    """The extension term (without prefix) of a diary field, as the export names it."""
    return FIELD_TERMS.get(name) or _camel(name)


def farm_uri(farm, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/farms/{quote(farm.slug, safe='')}"


def area_uri(farm, area_id: int, base_url: str) -> str:
    return f"{farm_uri(farm, base_url)}/areas/{area_id}"


def _event(batch: Batch, event: BatchEvent, uris: _Uris) -> dict:
    kind = _kind(event.kind)
    local = event.occurred_at.astimezone(VIETNAM)
    lot = _lot_quantity(event, uris.lot) if kind == EventKind.HARVEST else {"epcClass": uris.lot}
    result: dict = {
        "type": "ObjectEvent",
        "eventID": event_id(event),
        "eventTime": local.isoformat(),
        "eventTimeZoneOffset": _offset(local),
        "recordTime": _utc(event.recorded_at),
        "action": expected_action(kind),
        "bizStep": uris.biz_step(event.kind),
        "quantityList": [lot],
    }
    if kind in _IN_THE_FIELD and uris.area:
        result["readPoint"] = {"id": uris.area}
    elif kind == EventKind.SHIPPING:
        result["readPoint"] = {"id": uris.farm}
    if kind in _IN_THE_FIELD or kind in _AT_THE_FARM:
        result["bizLocation"] = {"id": uris.farm}
    if kind == EventKind.HARVEST:
        result["ilmd"] = _lot_master_data(batch, local)
    return result


def _kind(value: str) -> EventKind | None:
    try:
        return EventKind(value)
    except ValueError:
        return None


def _lot_quantity(harvest: BatchEvent, lot: str) -> dict:
    """The harvested quantity in Rec 20 units; a piece count has no uom; an unknown unit or
    an unreadable number gives the lot without a quantity (the entry keeps both as typed)."""
    element: dict = {"epcClass": lot}
    try:
        quantity = Decimal(str(harvest.details.get("quantity", "")))
    except InvalidOperation:
        return element
    if not quantity.is_finite():
        return element
    unit = fold_accents(str(harvest.details.get("unit", "")))
    if unit in MEASURE_UNITS:
        code, factor = MEASURE_UNITS[unit]
        element["quantity"] = _number(quantity * factor)
        element["uom"] = code
    elif unit in COUNT_UNITS:
        element["quantity"] = _number(quantity)
    return element


def _lot_master_data(batch: Batch, harvested_at: datetime) -> dict:
    ilmd = {
        "cbvmda:lotNumber": batch.code,
        "cbvmda:countryOfOrigin": COUNTRY,
        "cbvmda:harvestStartDate": harvested_at.isoformat(),
        "cbvmda:harvestEndDate": harvested_at.isoformat(),
    }
    area = batch.growing_area
    if area is not None and area.code:
        ilmd[f"{PREFIX}:plantingAreaCode"] = area.code
    return ilmd


def _extensions(event: BatchEvent) -> dict:
    """The entry's own fields, place and note as `nongsan:` terms, plus its chain position."""
    fields: dict = {f"{PREFIX}:seq": event.seq, f"{PREFIX}:chainHash": event.hash}
    for name, value in event.details.items():
        if name in _NOT_EXPORTED:
            continue
        fields[f"{PREFIX}:{field_term(name)}"] = value
    if event.place:
        fields[f"{PREFIX}:place"] = event.place
    if event.note:
        fields[f"{PREFIX}:note"] = event.note
    return fields


def _master_data(batch: Batch, uris: _Uris) -> list[dict]:
    """Names (and the area's code and position) behind our location and class URIs."""
    farm = batch.farm
    farm_attributes = [_attribute("cbvmda:name", farm.name)]
    if farm.province_name:
        farm_attributes.append(_attribute("cbvmda:state", farm.province_name))
    farm_attributes.append(_attribute("cbvmda:countryCode", COUNTRY))
    vocabularies = [
        _vocabulary("BusinessLocation", uris.farm, farm_attributes),
        _vocabulary(
            "EPCClass", uris.lot, [_attribute(f"{PREFIX}:productName", batch.product.name)]
        ),
    ]
    area = batch.growing_area
    if area is not None and uris.area:
        attributes = [_attribute("cbvmda:name", area.name)]
        if area.code:
            attributes.append(_attribute(f"{PREFIX}:plantingAreaCode", area.code))
        if area.latitude is not None and area.longitude is not None:
            attributes.append(_attribute("cbvmda:latitude", format(area.latitude, "f")))
            attributes.append(_attribute("cbvmda:longitude", format(area.longitude, "f")))
        vocabularies.append(_vocabulary("ReadPoint", uris.area, attributes))
    return vocabularies


def _vocabulary(vtype: str, element_id: str, attributes: list[dict]) -> dict:
    return {
        "type": f"urn:epcglobal:epcis:vtype:{vtype}",
        "vocabularyElementList": [{"id": element_id, "attributes": attributes}],
    }


def _attribute(attribute_id: str, value: str) -> dict:
    return {"id": attribute_id, "attribute": value}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def _number(value: Decimal) -> int | float:
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _offset(local: datetime) -> str:
    offset = local.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"
