"""EPCIS capture as a service: a partner's document recorded through the diary's own rules."""

from __future__ import annotations

import filecmp
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import PermissionDenied
from app.extensions import db
from app.geo import fold_accents
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot
from tests.traceability import epcis_documents as docs
from tests.traceability.factories import NOW, harvest, make_batch, spray
from tests.traceability.test_epcis import assert_valid, document_of, validator  # noqa: F401
from traceability import services
from traceability.epcis import MEASURE_UNITS, event_id
from traceability.epcis_capture import SCHEMA_PATH, UOM_UNITS, CaptureRefused, capture
from traceability.models import BatchStatus, EventKind

#: GS1's files as the project keeps them beside its checkout (CI has them there).
SHARED = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epcis-2.0"


def owner(batch):
    return batch.farm.members[0].user


def refused(document, actor) -> dict[str, list[str]]:
    """The refusal's errors; the transaction is rolled back as the API does."""
    with pytest.raises(CaptureRefused) as caught:
        capture(document, actor, docs.BASE_URL)
    db.session.rollback()
    return caught.value.errors


# The shipped schema -------------------------------------------------------------------------


def test_the_shipped_schema_is_gs1s_file_unchanged():
    assert filecmp.cmp(SCHEMA_PATH, docs.STANDARDS / "EPCIS-JSON-Schema.json", shallow=False)
    if not SHARED.exists():
        pytest.skip("../shared/standards is not beside this checkout")
    assert filecmp.cmp(SCHEMA_PATH, SHARED / "EPCIS-JSON-Schema.json", shallow=False)


def test_each_uom_reads_back_as_itself_in_the_export():
    for code, unit in UOM_UNITS.items():
        assert MEASURE_UNITS[fold_accents(unit)] == (code, 1)


# Recording ----------------------------------------------------------------------------------


def test_a_document_becomes_diary_entries_with_their_event_ids(app):
    batch = make_batch()
    sprayed = docs.spraying_event(batch, 40, **{"nongsan:place": "Lô B"})
    harvested = docs.harvest_event(batch, 5, quantity=1250.5)
    packed = docs.object_event(
        batch, "packing", 4, **{"nongsan:packages": 40, "nongsan:packageUnit": "thùng 5 kg"}
    )

    result = capture(docs.document(sprayed, harvested, packed), owner(batch), docs.BASE_URL)

    assert result.created == [sprayed["eventID"], harvested["eventID"], packed["eventID"]]
    history = services.history(batch)
    assert [e.kind for e in history] == ["spraying", "harvest", "packing"]
    assert [event_id(e) for e in history] == result.created
    assert history[0].details["active_ingredient"] == "Fipronil"
    assert history[0].details["phi_days"] == 14
    assert history[0].place == "Lô B"
    assert history[1].details["quantity"] == "1250.5" and history[1].details["unit"] == "kg"
    assert history[1].occurred_at == datetime(2026, 6, 20, 3, 0, tzinfo=UTC)
    assert history[2].details["packages"] == 40
    assert batch.status == BatchStatus.PACKED and batch.quantity == Decimal("1250.5")
    # The eventIDs are in the entries' details, so the chain's hashes cover them.
    assert services.verify_batch(batch).ok


def test_capturing_the_same_document_again_records_nothing_twice(app):
    batch = make_batch()
    document = docs.document(docs.harvest_event(batch, 5))
    first = capture(document, owner(batch), docs.BASE_URL)

    again = capture(document, owner(batch), docs.BASE_URL)

    assert again.created == [] and again.existing == first.created
    assert len(services.history(batch)) == 1


def test_a_count_keeps_the_unit_the_farm_typed(app, validator):  # noqa: F811
    batch = make_batch()
    event = docs.harvest_event(batch, 5, quantity=300, uom=None, **{"nongsan:recordedUnit": "quả"})

    capture(docs.document(event), owner(batch), docs.BASE_URL)

    exported = document_of(batch)["epcisBody"]["eventList"][0]
    assert exported["quantityList"] == [{"epcClass": docs.trace_lot(batch), "quantity": 300}]
    assert exported["eventID"] == event["eventID"]


def test_an_error_declaration_records_the_correction_of_a_stored_event(app, validator):  # noqa: F811
    batch = make_batch()
    wrong = docs.spraying_event(batch, 30, **{"nongsan:activeIngredient": "Fipronill"})
    capture(docs.document(wrong), owner(batch), docs.BASE_URL)
    fixed = docs.spraying_event(batch, 30)
    declared = {
        **wrong,
        "errorDeclaration": {
            "declarationTime": "2026-06-25T03:00:00Z",
            "reason": "incorrect_data",
            "correctiveEventIDs": [fixed["eventID"]],
        },
    }

    result = capture(docs.document(declared, fixed), owner(batch), docs.BASE_URL)

    assert result.created == [fixed["eventID"]]
    first, correction = services.history(batch)
    assert correction.corrects_id == first.id
    assert correction.details["active_ingredient"] == "Fipronil"
    exported = document_of(batch)
    assert_valid(validator, exported)
    erroneous = exported["epcisBody"]["eventList"][0]
    assert erroneous["errorDeclaration"]["correctiveEventIDs"] == [fixed["eventID"]]


# Refusals -----------------------------------------------------------------------------------


def test_a_schema_error_is_listed_by_json_pointer_and_nothing_is_recorded(app):
    batch = make_batch()
    good = docs.harvest_event(batch, 5)
    bad = docs.object_event(batch, "harvesting", 4)
    db.session.commit()
    before = database_snapshot()

    errors = refused(docs.document(good, bad), owner(batch))

    assert list(errors) == ["/epcisBody/eventList/1/bizStep"]
    assert database_snapshot() == before


def test_one_refused_event_refuses_the_whole_document(app):
    batch = make_batch()
    good = docs.harvest_event(batch, 5)
    unknown = docs.object_event(batch, "packing", 4)
    unknown["quantityList"] = [{"epcClass": f"{docs.BASE_URL}/trace/{batch.farm.slug}/NO-SUCH"}]
    missing = docs.spraying_event(batch, 3)
    del missing["nongsan:dose"]
    db.session.commit()
    before = database_snapshot()

    errors = refused(docs.document(good, unknown, missing), owner(batch))

    assert errors.keys() == {
        "/epcisBody/eventList/1/quantityList/0/epcClass",
        "/epcisBody/eventList/2/nongsan:dose",
    }
    assert database_snapshot() == before


def test_another_farms_lot_is_refused_before_anything_is_recorded(app):
    mine = make_batch()
    theirs = make_batch(make_farm())
    db.session.commit()
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        capture(
            docs.document(docs.harvest_event(mine, 5), docs.harvest_event(theirs, 5)),
            owner(mine),
            docs.BASE_URL,
        )
    db.session.rollback()

    assert database_snapshot() == before


def test_a_recalled_batch_refuses_a_harvest_as_the_diary_page_does(app):
    batch = make_batch()
    harvest(batch, 10)
    services.recall_batch(batch, owner(batch), "Phát hiện dư lượng vượt mức", NOW)
    db.session.commit()
    before = database_snapshot()

    errors = refused(docs.document(docs.harvest_event(batch, 5)), owner(batch))

    assert list(errors) == ["/epcisBody/eventList/0"]  # the service's own message
    assert database_snapshot() == before


def test_the_pre_harvest_interval_is_checked_at_the_event_time(app):
    batch = make_batch()
    spray(batch, 10, phi_days=14)

    errors = refused(docs.document(docs.harvest_event(batch, 5)), owner(batch))

    assert list(errors) == ["/epcisBody/eventList/0/eventTime"]
    assert "Regent 800WG" in errors["/epcisBody/eventList/0/eventTime"][0]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"action": "OBSERVE"}, "/action"),
        ({"bizStep": "https://nongsan.test/voc/bizstep/labels", "action": "OBSERVE"}, "/bizStep"),
        ({"readPoint": {"id": "https://nongsan.test/farms/someone-else"}}, "/readPoint/id"),
        ({"eventID": None}, "/eventID"),
    ],
)
def test_a_harvest_that_does_not_fit_its_batch_is_refused_where_it_is_wrong(app, change, where):
    batch = make_batch()
    event = {**docs.harvest_event(batch, 5), **change}
    if event["eventID"] is None:
        del event["eventID"]

    errors = refused(docs.document(event), owner(batch))

    assert "/epcisBody/eventList/0" + where in errors
    assert services.history(batch) == []


def test_the_farms_own_places_are_accepted(app):
    batch = make_batch()
    farm = f"{docs.BASE_URL}/farms/{batch.farm.slug}"
    event = docs.harvest_event(
        batch,
        5,
        readPoint={"id": f"{farm}/areas/{batch.growing_area_id}"},
        bizLocation={"id": farm},
    )

    assert capture(docs.document(event), owner(batch), docs.BASE_URL).created


@pytest.mark.parametrize("name", docs.GS1_EXAMPLES)
def test_gs1s_examples_name_no_lot_of_ours_and_each_event_says_so(app, name):
    batch = make_batch()
    db.session.commit()
    before = database_snapshot()

    errors = refused(docs.gs1_example(name), owner(batch))

    events = len(docs.gs1_example(name)["epcisBody"]["eventList"])
    assert {key.split("/")[3] for key in errors} == {str(i) for i in range(events)}
    assert database_snapshot() == before


def test_a_document_of_too_many_events_is_refused_unread(app):
    batch = make_batch()
    events = [docs.harvest_event(batch, 5)] * 501

    assert list(refused(docs.document(*events), owner(batch))) == ["/epcisBody/eventList"]


def test_a_document_nested_too_deeply_is_refused_before_the_schema_is_walked(app):
    batch = make_batch()
    event = docs.harvest_event(batch, 5)
    nested: list = []
    event["nongsan:deep"] = nested
    for _ in range(40):
        nested.append([])
        nested = nested[0]

    assert list(refused(docs.document(event), owner(batch))) == ["/"]


def test_a_digital_link_names_the_batch_by_gtin_and_lot(app):
    from tests.products.factories import make_product

    farm = make_farm()
    batch = make_batch(farm, make_product(farm, gtin="8934567890120"), code="VT2606-G")
    event = docs.harvest_event(batch, 5)
    event["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/08934567890120/10/VT2606-G"

    capture(docs.document(event), owner(batch), docs.BASE_URL)

    assert [e.kind for e in services.history(batch)] == [EventKind.HARVEST]
