"""EPCIS documents as a partner's system would send them, for the capture tests."""

from __future__ import annotations

import itertools
import json
import uuid
from pathlib import Path

from tests.traceability.factories import days_before_now
from traceability.epcis import EPCIS_CONTEXT

BASE_URL = "https://nongsan.test"
STANDARDS = Path(__file__).resolve().parents[1] / "standards" / "epcis-2.0"
GS1_EXAMPLES = ("Example_9.6.1-ObjectEvent.jsonld", "Example_9.6.4-TransformationEvent.jsonld")
_numbers = itertools.count(1)


def gs1_example(name: str) -> dict:
    return json.loads((STANDARDS / name).read_text(encoding="utf-8"))


def trace_lot(batch) -> str:
    return f"{BASE_URL}/trace/{batch.farm.slug}/{batch.code}"


def new_event_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def at(days_ago: float) -> str:
    """A time `days_ago` before the factories' NOW, in Vietnam's time with its offset."""
    return days_before_now(days_ago).isoformat() + "+07:00"


def object_event(
    batch, biz_step: str, days_ago: float, *, action="OBSERVE", event_id=None, **extra
) -> dict:
    event = {
        "type": "ObjectEvent",
        "eventID": event_id or new_event_id(),
        "eventTime": at(days_ago),
        "eventTimeZoneOffset": "+07:00",
        "action": action,
        "bizStep": biz_step,
        "quantityList": [{"epcClass": trace_lot(batch)}],
    }
    event.update(extra)
    return event


def harvest_event(batch, days_ago: float, quantity=850, uom="KGM", **extra) -> dict:
    event = object_event(batch, "commissioning", days_ago, action="ADD", **extra)
    element = {"epcClass": trace_lot(batch), "quantity": quantity}
    if uom:
        element["uom"] = uom
    event["quantityList"] = [element]
    return event


def spraying_event(batch, days_ago: float, **extra) -> dict:
    fields = {
        "nongsan:sprayedProduct": "Regent 800WG",
        "nongsan:activeIngredient": "Fipronil",
        "nongsan:dose": "1 g / 16 lít",
        "nongsan:preHarvestIntervalDays": 14,
    }
    fields.update(extra)
    return object_event(batch, f"{BASE_URL}/voc/bizstep/spraying", days_ago, **fields)


def document(*events) -> dict:
    return {
        "@context": [EPCIS_CONTEXT, {"nongsan": f"{BASE_URL}/voc/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-06-25T03:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }
