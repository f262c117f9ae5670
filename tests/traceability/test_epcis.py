"""A batch's history as a GS1 EPCIS 2.0 document, checked against GS1's own JSON Schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft7Validator

from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.traceability.factories import NOW, harvest, make_batch, record, spray
from traceability import services
from traceability.epcis import batch_document, epc_class

STANDARDS = Path(__file__).resolve().parents[1] / "standards" / "epcis-2.0"
BASE_URL = "https://nongsan.test"
GS1_EXAMPLES = ("Example_9.6.1-ObjectEvent.jsonld", "Example_9.6.4-TransformationEvent.jsonld")
#: A GTIN-13 with a correct check digit, and the GTIN-14 it is stored as.
GTIN_13 = "8934567890120"
GTIN_14 = "08934567890120"
TIME_FIELDS = ("eventTime", "recordTime", "declarationTime", "creationDate")


def _load(name: str) -> dict:
    return json.loads((STANDARDS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = _load("EPCIS-JSON-Schema.json")
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(validator: Draft7Validator, document: dict) -> list[str]:
    """Every error, with where it is, readable in an assertion message."""
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


def _times(node, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TIME_FIELDS:
                found.append((key, value))
            _times(value, found)
    elif isinstance(node, list):
        for item in node:
            _times(item, found)
    return found


def assert_valid(validator: Draft7Validator, document: dict) -> None:
    """Zero schema errors, plain JSON, and times with their offset (jsonschema checks the
    date-time format only with an extra package, so it is checked here)."""
    errors = schema_errors(validator, document)
    assert errors == [], "EPCIS schema errors:\n" + "\n".join(errors)
    assert json.loads(json.dumps(document)) == document
    for key, value in _times(document, []):
        moment = datetime.fromisoformat(value)
        assert "T" in value and moment.tzinfo is not None, f"{key} {value!r} is not RFC 3339"


def full_history(batch) -> None:
    """Every kind of diary entry, in a plausible order (spraying well before harvest)."""
    record(batch, "planting", 120, variety="Vải U hồng", amount="120 cây")
    record(batch, "fertilising", 90, input="Phân hữu cơ vi sinh", amount="2 kg/gốc")
    spray(batch, 40, phi_days=14)
    record(batch, "irrigation", 30, amount="20 lít/gốc")
    record(batch, "inspection", 10, inspector="Quatest 1", result="Đạt, không phát hiện dư lượng")
    harvest(batch, 5, quantity="850")
    record(batch, "packing", 4, packages="40", package_unit="thùng 5 kg")
    record(batch, "shipping", 3, to_whom="Siêu thị Nông sản sạch Hà Nội", carrier="Viettel Post")
    record(batch, "receiving", 2, received_by="Kho Long Biên")
    record(batch, "note", 1, note="Khách hàng phản hồi tốt")


def document_of(batch, now: datetime = NOW) -> dict:
    return batch_document(batch, services.history(batch), BASE_URL, now=now)


def events_of(document: dict) -> list[dict]:
    return document["epcisBody"]["eventList"]


def by_seq(document: dict) -> dict[int, dict]:
    return {event["nongsan:seq"]: event for event in events_of(document)}


# The validator itself ---------------------------------------------------------------------


@pytest.mark.parametrize("name", GS1_EXAMPLES)
def test_gs1s_own_examples_validate_with_zero_errors(validator, name):
    assert schema_errors(validator, _load(name)) == []


def test_a_bare_word_as_business_step_is_rejected(validator):
    # "harvesting" is neither a CBV step nor a URI: only a URI format check catches it.
    document = _load("Example_9.6.1-ObjectEvent.jsonld")
    document["epcisBody"]["eventList"][0]["bizStep"] = "harvesting"

    errors = schema_errors(validator, document)

    assert errors, "a bare bizStep passed: is the rfc3987 package installed?"
    assert any(error.startswith("epcisBody/eventList/0") for error in errors), errors


# Our documents ----------------------------------------------------------------------------


def test_a_full_history_validates_with_one_event_per_entry_in_order(app, validator):
    batch = make_batch()
    full_history(batch)

    document = document_of(batch)

    assert_valid(validator, document)
    assert document["type"] == "EPCISDocument" and document["schemaVersion"] == "2.0"
    assert document["@context"] == [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"nongsan": f"{BASE_URL}/voc/"},
    ]
    events = events_of(document)
    assert [event["nongsan:seq"] for event in events] == list(range(1, 11))
    assert all(event["type"] == "ObjectEvent" for event in events)
    assert len({event["eventID"] for event in events}) == 10
    assert all(event["eventID"].startswith("urn:uuid:") for event in events)


def test_the_harvest_commissions_the_lot_with_its_master_data(app, validator):
    farm = make_farm()
    area = make_growing_area(farm, code="VN-HPTH-0123")
    batch = make_batch(farm, growing_area=area, code="VT2606-H")
    full_history(batch)

    document = document_of(batch)
    harvested = by_seq(document)[6]

    assert_valid(validator, document)
    assert harvested["action"] == "ADD" and harvested["bizStep"] == "commissioning"
    lot = f"{BASE_URL}/trace/{farm.slug}/VT2606-H"
    assert harvested["quantityList"] == [{"epcClass": lot, "quantity": 850, "uom": "KGM"}]
    assert harvested["ilmd"]["cbvmda:lotNumber"] == "VT2606-H"
    assert harvested["ilmd"]["cbvmda:countryOfOrigin"] == "VN"
    assert harvested["ilmd"]["cbvmda:harvestStartDate"] == harvested["eventTime"]
    assert harvested["ilmd"]["nongsan:plantingAreaCode"] == "VN-HPTH-0123"
    # Five days before NOW (25 June 2026, 10:00 in Vietnam), told in Vietnam's time.
    assert harvested["eventTime"] == "2026-06-20T10:00:00+07:00"
    assert harvested["eventTimeZoneOffset"] == "+07:00"
    assert harvested["readPoint"] == {"id": f"{BASE_URL}/farms/{farm.slug}/areas/{area.id}"}
    assert harvested["bizLocation"] == {"id": f"{BASE_URL}/farms/{farm.slug}"}


def test_supply_chain_steps_use_the_standard_business_steps(app, validator):
    batch = make_batch()
    full_history(batch)

    events = by_seq(document_of(batch))

    assert {seq: events[seq]["bizStep"] for seq in (5, 7, 8, 9)} == {
        5: "inspecting",
        7: "packing",
        8: "shipping",
        9: "receiving",
    }
    assert all(events[seq]["action"] == "OBSERVE" for seq in (5, 7, 8, 9))
    assert all("ilmd" not in events[seq] for seq in (5, 7, 8, 9))
    assert events[7]["nongsan:packages"] == 40
    assert events[8]["nongsan:shippedTo"] == "Siêu thị Nông sản sạch Hà Nội"
    assert events[9]["nongsan:receivedBy"] == "Kho Long Biên"


def test_farm_work_uses_our_own_business_steps_and_extension_fields(app, validator):
    batch = make_batch()
    full_history(batch)

    events = by_seq(document_of(batch))

    own = f"{BASE_URL}/voc/bizstep/"
    assert [events[seq]["bizStep"] for seq in (1, 2, 3, 4, 10)] == [
        own + "planting",
        own + "fertilising",
        own + "spraying",
        own + "irrigation",
        own + "note",
    ]
    sprayed = events[3]
    assert sprayed["action"] == "OBSERVE"
    assert sprayed["nongsan:sprayedProduct"] == "Regent 800WG"
    assert sprayed["nongsan:activeIngredient"] == "Fipronil"
    assert sprayed["nongsan:dose"] == "1 g / 16 lít"
    assert sprayed["nongsan:preHarvestIntervalDays"] == 14
    assert sprayed["quantityList"] == [{"epcClass": events[6]["quantityList"][0]["epcClass"]}]
    assert events[2]["nongsan:fertiliserInput"] == "Phân hữu cơ vi sinh"
    assert events[10]["nongsan:note"] == "Khách hàng phản hồi tốt"


def test_a_product_with_a_gtin_is_classed_by_its_gs1_digital_link(app, validator):
    farm = make_farm()
    product = make_product(farm, gtin=GTIN_13)
    batch = make_batch(farm, product, code="VT2606-G")
    full_history(batch)

    document = document_of(batch)

    assert_valid(validator, document)
    classes = {event["quantityList"][0]["epcClass"] for event in events_of(document)}
    assert classes == {f"https://id.gs1.org/01/{GTIN_14}/10/VT2606-G"}


def test_a_gtin_13_is_padded_to_14_digits_in_the_digital_link():
    batch = SimpleNamespace(code="VT2606-G", product=SimpleNamespace(gtin=GTIN_13))

    assert epc_class(batch, BASE_URL) == f"https://id.gs1.org/01/{GTIN_14}/10/VT2606-G"


def test_a_corrected_entry_is_declared_erroneous_and_points_to_its_correction(app, validator):
    batch = make_batch()
    wrong = spray(batch, 30, phi_days=14, active_ingredient="Fipronill")
    record(batch, "note", 25, note="Tưới thêm")
    fixed = spray(batch, 30, phi_days=14, corrects_id=wrong.id)

    document = document_of(batch)
    events = by_seq(document)

    assert_valid(validator, document)
    assert len(events) == 3  # both stay, in seq order
    assert events[1]["nongsan:activeIngredient"] == "Fipronill"
    assert events[1]["errorDeclaration"] == {
        "declarationTime": "2026-06-25T03:00:00Z",
        "reason": "incorrect_data",
        "correctiveEventIDs": [events[3]["eventID"]],
    }
    assert events[3]["nongsan:corrects"] == events[1]["eventID"]
    assert "errorDeclaration" not in events[2] and "errorDeclaration" not in events[3]
    assert fixed.seq == 3


def test_a_batch_without_entries_is_an_empty_but_valid_document(app, validator):
    batch = make_batch()

    document = document_of(batch)

    assert_valid(validator, document)
    assert events_of(document) == []


def test_a_recall_is_stated_on_the_document_not_invented_as_an_event(app, validator):
    batch = make_batch()
    harvest(batch, 3)
    services.recall_batch(batch, batch.farm.members[0].user, "Phát hiện dư lượng vượt mức", NOW)

    document = document_of(batch)

    assert_valid(validator, document)
    assert document["nongsan:recall"] == {
        "nongsan:recalledAt": "2026-06-25T03:00:00Z",
        "nongsan:reason": "Phát hiện dư lượng vượt mức",
    }
    assert len(events_of(document)) == 1


@pytest.mark.parametrize(
    ("unit", "quantity", "expected"),
    [
        ("kg", "1250,5", {"quantity": 1250.5, "uom": "KGM"}),
        ("tạ", "12", {"quantity": 1200, "uom": "KGM"}),  # 1 tạ = 100 kg
        ("tấn", "2", {"quantity": 2, "uom": "TNE"}),
        ("quả", "300", {"quantity": 300}),  # pieces: a count, no unit of measure
        ("sọt", "5", {}),  # unknown: no quantity claimed; the entry keeps it as typed
    ],
)
def test_the_harvested_quantity_is_given_in_standard_units(
    app, validator, unit, quantity, expected
):
    batch = make_batch()
    record(batch, "harvest", 2, quantity=quantity, unit=unit)

    document = document_of(batch)
    harvested = events_of(document)[0]

    assert_valid(validator, document)
    element = harvested["quantityList"][0]
    assert {key: value for key, value in element.items() if key != "epcClass"} == expected
    assert harvested["nongsan:recordedUnit"] == unit


def test_the_same_history_gives_the_same_document_but_for_its_creation_date(app, validator):
    batch = make_batch()
    full_history(batch)

    first = document_of(batch, now=datetime(2026, 7, 1, tzinfo=UTC))
    second = document_of(batch, now=datetime(2026, 7, 2, tzinfo=UTC))

    assert first["creationDate"] == "2026-07-01T00:00:00Z"
    assert {**first, "creationDate": None} == {**second, "creationDate": None}
