"""GET /api/v1/epcis/events: the events of a token's farms as EPCIS query documents that
validate against GS1's schema, and the round trip from capture to query to export."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs, quote, urlsplit

from app.extensions import db
from tests.api.factories import bearer, make_token
from tests.farms.factories import make_farm
from tests.traceability import epcis_documents as docs
from tests.traceability.factories import harvest, make_batch, record, spray
from tests.traceability.test_epcis import assert_valid, document_of, validator  # noqa: F401
from traceability import labels, services
from traceability.epcis import event_id

URL = "/api/v1/epcis/events"


def owner(batch):
    return batch.farm.members[0].user


def events_of(query_document: dict) -> list[dict]:
    return query_document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def query(client, secret, **params):
    response = client.get(URL, query_string=params, headers=bearer(secret))
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/ld+json"
    return response


def diary(batch):
    spray(batch, 40, phi_days=14)
    harvest(batch, 5)
    record(batch, "packing", 4, packages="40", package_unit="thùng 5 kg")


def test_the_events_of_the_tokens_farms_validate_as_a_query_document(client, app, validator):  # noqa: F811
    batch = make_batch()
    diary(batch)
    theirs = make_batch(make_farm())
    harvest(theirs, 5)
    secret = make_token(owner(batch), {"batches:read"})
    db.session.commit()

    body = query(client, secret).get_json()

    assert_valid(validator, body)
    assert body["type"] == "EPCISQueryDocument"
    assert body["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery"
    events = events_of(body)
    assert [e["eventID"] for e in events] == [event_id(e) for e in services.history(batch)]
    # Each event exactly as the batch's own export writes it.
    exported = document_of(batch)["epcisBody"]["eventList"]
    assert events == exported


def test_filters_by_business_step_time_and_lot(client, app, validator):  # noqa: F811
    batch = make_batch()
    diary(batch)
    other = make_batch(batch.farm)
    harvest(other, 3)
    secret = make_token(owner(batch), {"batches:read"})
    db.session.commit()
    harvested = [e for e in services.history(batch) if e.kind == "harvest"][0]

    by_step = events_of(query(client, secret, EQ_bizStep="commissioning|packing").get_json())
    by_lot = events_of(query(client, secret, MATCH_anyEPCClass=docs.trace_lot(other)).get_json())
    by_time = events_of(
        query(
            client, secret, GE_eventTime="2026-06-20T00:00:00Z", LT_eventTime="2026-06-21T00:00:00Z"
        ).get_json()
    )
    by_own_step = query(client, secret, EQ_bizStep=f"{docs.BASE_URL}/voc/bizstep/spraying")
    none = query(client, secret, eventType="TransformationEvent").get_json()

    assert [e["bizStep"] for e in by_step] == ["commissioning", "packing", "commissioning"]
    assert [e["quantityList"][0]["epcClass"] for e in by_lot] == [docs.trace_lot(other)]
    assert [e["eventID"] for e in by_time] == [event_id(harvested)]
    assert len(events_of(by_own_step.get_json())) == 1
    assert events_of(none) == []
    assert_valid(validator, none)


def test_match_epc_finds_the_events_of_a_labelled_items_batch(client, app):
    batch = make_batch()
    harvest(batch, 5)
    other = make_batch(batch.farm)
    harvest(other, 4)
    run = labels.issue_labels(batch, owner(batch), "a4-65", 2)
    address = labels.label_address(batch, labels.run_labels(run)[0].serial)
    secret = make_token(owner(batch), {"batches:read"})
    db.session.commit()

    by_label = events_of(query(client, secret, MATCH_epc=address.lower()).get_json())
    unknown = events_of(query(client, secret, MATCH_epc=f"{docs.BASE_URL}/T/ZZZZZZZZ").get_json())

    assert {e["quantityList"][0]["epcClass"] for e in by_label} == {docs.trace_lot(batch)}
    assert unknown == []


def test_pages_follow_the_link_header_with_next_page_token(client, app):
    batch = make_batch()
    diary(batch)
    secret = make_token(owner(batch), {"batches:read"})
    db.session.commit()

    first = query(client, secret, perPage=2)
    link = first.headers["Link"]
    token = parse_qs(urlsplit(link[1 : link.index(">")]).query)["nextPageToken"][0]
    second = query(client, secret, perPage=2, nextPageToken=token)

    assert link.endswith('rel="next"')
    assert len(events_of(first.get_json())) == 2
    assert len(events_of(second.get_json())) == 1 and "Link" not in second.headers
    seen = [e["eventID"] for e in events_of(first.get_json()) + events_of(second.get_json())]
    assert seen == [event_id(e) for e in services.history(batch)]


def test_a_bad_page_token_or_time_is_422(client, app):
    secret = make_token(owner(make_batch()), {"batches:read"})
    db.session.commit()

    assert client.get(f"{URL}?nextPageToken=!!", headers=bearer(secret)).status_code == 422
    assert client.get(f"{URL}?GE_eventTime=yesterday", headers=bearer(secret)).status_code == 422


def test_one_event_by_its_event_id(client, app, validator):  # noqa: F811
    batch = make_batch()
    diary(batch)
    secret = make_token(owner(batch), {"batches:read"})
    db.session.commit()
    wanted = services.history(batch)[1]

    response = client.get(f"{URL}/{quote(event_id(wanted))}", headers=bearer(secret))

    assert response.status_code == 200
    assert_valid(validator, response.get_json())
    assert [e["eventID"] for e in events_of(response.get_json())] == [event_id(wanted)]


def test_another_farms_events_are_not_reached(client, app):
    mine = make_batch()
    theirs = make_batch(make_farm())
    harvest(theirs, 5)
    secret = make_token(owner(mine), {"batches:read"})
    farm_key = make_token(owner(mine), farm=mine.farm)
    db.session.commit()
    their_event = event_id(services.history(theirs)[0])

    listed = query(client, secret, MATCH_anyEPCClass=docs.trace_lot(theirs)).get_json()
    one = client.get(f"{URL}/{quote(their_event)}", headers=bearer(secret))
    by_farm = client.get(URL, query_string={"farm_id": theirs.farm_id}, headers=bearer(farm_key))

    assert events_of(listed) == []
    assert one.status_code == 404
    assert by_farm.status_code == 403


def test_a_farm_key_sees_only_its_own_farm(client, app):
    mine = make_batch()
    harvest(mine, 5)
    other_farm = make_farm(owner(mine))
    harvest(make_batch(other_farm), 5)
    farm_key = make_token(owner(mine), farm=mine.farm)
    db.session.commit()

    events = events_of(query(client, farm_key).get_json())

    assert [e["quantityList"][0]["epcClass"] for e in events] == [docs.trace_lot(mine)]


def test_querying_needs_the_batches_read_scope(client, app):
    batch = make_batch()
    secret = make_token(owner(batch), {"batches:write"})
    db.session.commit()

    assert client.get(URL, headers=bearer(secret)).status_code == 403
    assert client.get(URL).status_code == 401


# The round trip -------------------------------------------------------------------------


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_what_is_captured_is_what_is_queried_back_and_exported(client, app, validator):  # noqa: F811
    batch = make_batch()
    sent = [
        docs.spraying_event(batch, 40),
        docs.harvest_event(batch, 5, quantity=1250.5),
        docs.object_event(
            batch, "packing", 4, **{"nongsan:packages": 40, "nongsan:packageUnit": "thùng 5 kg"}
        ),
        docs.object_event(
            batch, "shipping", 3, **{"nongsan:shippedTo": "Siêu thị Nông sản sạch Hà Nội"}
        ),
    ]
    secret = make_token(owner(batch), {"batches:read", "batches:write"})
    db.session.commit()

    captured = client.post(
        "/api/v1/epcis/capture",
        data=json.dumps(docs.document(*sent)),
        content_type="application/ld+json",
        headers=bearer(secret),
    )
    queried = query(client, secret, MATCH_epcClass=docs.trace_lot(batch)).get_json()

    assert captured.status_code == 201
    assert_valid(validator, queried)
    back = events_of(queried)
    assert [e["eventID"] for e in back] == [e["eventID"] for e in sent]
    assert [e["bizStep"] for e in back] == [e["bizStep"] for e in sent]
    assert [e["action"] for e in back] == [e["action"] for e in sent]
    assert [_instant(e["eventTime"]) for e in back] == [_instant(e["eventTime"]) for e in sent]
    assert [e["quantityList"] for e in back] == [e["quantityList"] for e in sent]
    assert back[0]["nongsan:activeIngredient"] == "Fipronil"
    assert back[3]["nongsan:shippedTo"] == "Siêu thị Nông sản sạch Hà Nội"
    exported = document_of(batch)
    assert_valid(validator, exported)
    assert exported["epcisBody"]["eventList"] == back
    # The exported document captured again records nothing new.
    again = client.post(
        "/api/v1/epcis/capture",
        data=json.dumps(exported),
        content_type="application/ld+json",
        headers=bearer(secret),
    )
    assert again.status_code == 200
    assert again.get_json()["existingEventIDs"] == [e["eventID"] for e in sent]
