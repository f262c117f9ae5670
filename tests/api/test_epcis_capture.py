"""POST /api/v1/epcis/capture: a partner's EPCIS document recorded in a farm's diaries."""

from __future__ import annotations

import json

import pytest

from app.auth.roles import Role
from app.extensions import db
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot
from tests.traceability import epcis_documents as docs
from tests.traceability.factories import NOW, harvest, make_batch
from traceability import services

URL = "/api/v1/epcis/capture"


def owner(batch):
    return batch.farm.members[0].user


def post(client, secret, document, content_type="application/ld+json", language="en"):
    return client.post(
        URL,
        data=json.dumps(document),
        content_type=content_type,
        headers=bearer(secret, language),
    )


@pytest.mark.parametrize("content_type", ["application/ld+json", "application/json"])
def test_a_document_is_recorded_and_answered_201_with_its_event_ids(client, app, content_type):
    batch = make_batch()
    harvested = docs.harvest_event(batch, 5)
    packed = docs.object_event(
        batch, "packing", 4, **{"nongsan:packages": 40, "nongsan:packageUnit": "thùng 5 kg"}
    )
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()

    response = post(client, secret, docs.document(harvested, packed), content_type)

    assert response.status_code == 201
    assert response.get_json() == {
        "eventIDs": [harvested["eventID"], packed["eventID"]],
        "existingEventIDs": [],
    }
    assert [e.kind for e in services.history(batch)] == ["harvest", "packing"]


def test_the_same_document_again_is_200_and_records_nothing(client, app):
    batch = make_batch()
    document = docs.document(docs.harvest_event(batch, 5))
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()
    post(client, secret, document)
    before = database_snapshot()

    response = post(client, secret, document)

    assert response.status_code == 200
    assert response.get_json()["eventIDs"] == []
    assert response.get_json()["existingEventIDs"] == [
        document["epcisBody"]["eventList"][0]["eventID"]
    ]
    assert database_snapshot() == before


def test_a_farm_key_records_for_its_own_farm(client, app):
    batch = make_batch()
    secret = make_token(owner(batch), farm=batch.farm)
    db.session.commit()

    response = post(client, secret, docs.document(docs.harvest_event(batch, 5)))

    assert response.status_code == 201


def test_another_farms_lot_is_403_and_nothing_is_recorded(client, app):
    mine = make_batch()
    theirs = make_batch(make_farm())
    secret = make_token(owner(mine), {"batches:write"})
    db.session.commit()
    before = database_snapshot()

    response = post(
        client,
        secret,
        docs.document(docs.harvest_event(mine, 5), docs.harvest_event(theirs, 5)),
    )

    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert database_snapshot() == before


def test_a_farm_key_cannot_record_for_another_farm_of_its_owner(client, app):
    farm = make_farm()
    other = make_farm(owner(make_batch(farm)))
    batch = make_batch(other)
    secret = make_token(farm.members[0].user, farm=farm)
    db.session.commit()
    before = database_snapshot()

    response = post(client, secret, docs.document(docs.harvest_event(batch, 5)))

    assert response.status_code == 403
    assert database_snapshot() == before


def test_a_schema_error_is_a_422_problem_listing_json_pointers(client, app):
    batch = make_batch()
    bad = docs.object_event(batch, "harvesting", 4)
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()
    before = database_snapshot()

    response = post(client, secret, docs.document(docs.harvest_event(batch, 5), bad))

    assert response.status_code == 422
    body = response.get_json()
    assert response.content_type == "application/problem+json"
    assert body["detail"] == "The document does not follow the EPCIS 2.0 schema."
    assert list(body["errors"]) == ["/epcisBody/eventList/1/bizStep"]
    assert database_snapshot() == before


def test_an_unknown_lot_refuses_the_whole_document_in_the_callers_language(client, app):
    batch = make_batch()
    unknown = docs.harvest_event(batch, 5)
    unknown["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/08934567890120/10/NOPE"
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()
    before = database_snapshot()

    response = post(
        client, secret, docs.document(docs.harvest_event(batch, 6), unknown), language="vi"
    )

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["/epcisBody/eventList/1/quantityList/0/epcClass"]
    assert errors["/epcisBody/eventList/1/quantityList/0/epcClass"] == [
        "Không lô nào trên Nông Sản Số có mã lô này."
    ]
    assert database_snapshot() == before


def test_a_recalled_batch_refuses_as_the_diary_page_does(client, app):
    batch = make_batch()
    harvest(batch, 10)
    services.recall_batch(batch, owner(batch), "Phát hiện dư lượng vượt mức", NOW)
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()
    before = database_snapshot()

    response = post(client, secret, docs.document(docs.harvest_event(batch, 5)))

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "/epcisBody/eventList/0": [
            "This batch was recalled; it cannot be harvested, packed or shipped."
        ]
    }
    assert database_snapshot() == before


@pytest.mark.parametrize("name", docs.GS1_EXAMPLES)
def test_gs1s_examples_are_422_per_event_and_nothing_is_recorded(client, app, name):
    batch = make_batch()
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()
    before = database_snapshot()

    response = post(client, secret, docs.gs1_example(name))

    assert response.status_code == 422
    example = docs.gs1_example(name)
    errors = response.get_json()["errors"]
    assert sorted(errors) == sorted(
        f"/epcisBody/eventList/{i}/{'epcList' if e['type'] == 'ObjectEvent' else 'type'}"
        for i, e in enumerate(example["epcisBody"]["eventList"])
    )
    assert database_snapshot() == before


def test_another_content_type_is_415(client, app):
    batch = make_batch()
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()

    response = post(client, secret, docs.document(), content_type="text/plain")

    assert response.status_code == 415
    assert response.content_type == "application/problem+json"


def test_not_json_is_422_and_a_document_over_1_mb_is_413(client, app):
    batch = make_batch()
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()
    headers = {**bearer(secret), "Content-Type": "application/ld+json"}

    broken = client.post(URL, data="{not json", headers=headers)
    too_deep = client.post(URL, data="[" * 200_000, headers=headers)
    huge = client.post(URL, data=" " * (1024 * 1024 + 1), headers=headers)

    assert broken.status_code == 422
    assert too_deep.status_code == 422
    assert huge.status_code == 413


def test_capture_needs_the_batches_write_scope(client, app):
    batch = make_batch()
    reader = make_token(owner(batch), {"batches:read"})
    db.session.commit()
    document = docs.document(docs.harvest_event(batch, 5))

    assert post(client, reader, document).status_code == 403
    assert client.post(URL, json=document).status_code == 401
    assert services.history(batch) == []


def test_a_buyer_cannot_record_in_a_farms_diary(client, app):
    batch = make_batch()
    secret = make_token(make_user(Role.BUYER), {"batches:write"})
    db.session.commit()

    response = post(client, secret, docs.document(docs.harvest_event(batch, 5)))

    assert response.status_code == 403
    assert services.history(batch) == []
