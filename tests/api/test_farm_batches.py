"""A farm's batches, their append-only diary and their label runs over /api/v1, through the
services the batch pages use."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.support.pdf_qr import decode_labels
from tests.support.queries import count_queries
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import harvest, make_batch
from traceability import labels, services
from traceability.label_formats import FORMATS
from traceability.models import Batch, Label

HARVEST = {
    "kind": "harvest",
    "occurred_at": "2026-06-20T00:30:00Z",
    "details": {"quantity": 850, "unit": "kg"},
}


@pytest.fixture
def batch(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    make_growing_area(farm)
    batch = make_batch(farm, make_product(farm, name="Vải thiều Thanh Hà"), code="VT2606-A")
    db.session.commit()
    return batch


@pytest.fixture
def owner(batch):
    return batch.farm.members[0].user


def _url(batch, path: str = "") -> str:
    return f"/api/v1/farms/{batch.farm_id}/batches/{batch.id}{path}"


def _write(owner) -> dict[str, str]:
    return bearer(make_token(owner, {"batches:read", "batches:write"}))


# Batches -----------------------------------------------------------------------------------


def test_a_batch_is_started_with_a_suggested_code_and_listed(client, batch, owner):
    headers = _write(owner)

    created = client.post(
        f"/api/v1/farms/{batch.farm_id}/batches",
        json={"product_id": batch.product_id},
        headers=headers,
    )
    listed = client.get(f"/api/v1/farms/{batch.farm_id}/batches", headers=headers)

    assert created.status_code == 201
    body = created.get_json()
    assert body["status"] == "growing" and body["code"].startswith("VT")
    assert created.headers["Location"].endswith(f"/batches/{body['id']}")
    assert [item["id"] for item in listed.get_json()["items"]] == [body["id"], batch.id]


def test_a_taken_code_is_a_422_on_its_field(client, batch, owner):
    headers = _write(owner)
    before = database_snapshot()

    response = client.post(
        f"/api/v1/farms/{batch.farm_id}/batches",
        json={"product_id": batch.product_id, "code": "VT2606-A"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "code" in response.get_json()["errors"]
    assert database_snapshot() == before


# The diary ---------------------------------------------------------------------------------


def test_a_harvest_is_recorded_and_the_batch_follows_it(client, batch, owner):
    headers = _write(owner)

    response = client.post(_url(batch, "/events"), json=HARVEST, headers=headers)

    assert response.status_code == 201, response.get_json()
    event = response.get_json()
    assert (event["kind"], event["details"]) == ("harvest", {"quantity": "850", "unit": "kg"})
    assert event["occurred_at"] == "2026-06-20T00:30:00Z"
    assert client.get(response.headers["Location"], headers=headers).get_json() == event
    detail = client.get(_url(batch), headers=headers).get_json()
    assert (detail["status"], detail["quantity"], detail["unit"]) == ("harvested", "850", "kg")
    assert detail["harvested_on"] == "2026-06-20"
    assert [e["id"] for e in detail["events"]] == [event["id"]]


def test_a_correction_is_a_new_event_naming_the_one_it_corrects(client, batch, owner):
    headers = _write(owner)
    first = client.post(_url(batch, "/events"), json=HARVEST, headers=headers).get_json()

    corrected = client.post(
        _url(batch, "/events"),
        json={
            "occurred_at": HARVEST["occurred_at"],
            "details": {"quantity": "820.5", "unit": "kg"},
            "corrects_id": first["id"],
            "note": "Cân lại",
        },
        headers=headers,
    )

    assert corrected.status_code == 201
    assert corrected.get_json()["corrects_id"] == first["id"]
    diary = client.get(_url(batch, "/events"), headers=headers).get_json()["items"]
    assert [(e["id"], e["superseded"]) for e in diary] == [
        (first["id"], True),
        (corrected.get_json()["id"], False),
    ]
    assert diary[0]["details"]["quantity"] == "850"  # the first is kept as it was
    assert client.get(_url(batch), headers=headers).get_json()["quantity"] == "820.5"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_event_is_changed_or_deleted(client, batch, owner, method):
    headers = _write(owner)
    event = client.post(_url(batch, "/events"), json=HARVEST, headers=headers).get_json()
    before = database_snapshot()

    response = getattr(client, method)(
        _url(batch, f"/events/{event['id']}"), json=HARVEST, headers=headers
    )

    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert database_snapshot() == before


def test_a_wrong_field_is_a_422_and_nothing_is_recorded(client, batch, owner):
    headers = _write(owner)
    before = database_snapshot()

    response = client.post(
        _url(batch, "/events"),
        json={**HARVEST, "details": {"unit": "kg"}},
        headers=headers,
    )

    assert response.status_code == 422
    assert "quantity" in response.get_json()["errors"]
    assert database_snapshot() == before


def test_a_time_without_a_zone_is_refused(client, batch, owner):
    response = client.post(
        _url(batch, "/events"),
        json={**HARVEST, "occurred_at": "2026-06-20T07:30:00"},
        headers=_write(owner),
    )

    assert response.status_code == 422
    assert "occurred_at" in response.get_json()["errors"]


def test_a_recalled_batch_refuses_a_harvest_with_409(client, batch, owner):
    services.recall_batch(batch, owner, "Dư lượng thuốc vượt ngưỡng cho phép")
    db.session.commit()
    headers = _write(owner)
    before = database_snapshot()

    response = client.post(_url(batch, "/events"), json=HARVEST, headers=headers)

    assert response.status_code == 409
    assert "recalled" in response.get_json()["detail"]
    assert database_snapshot() == before


# Labels ------------------------------------------------------------------------------------


def test_a_small_run_is_created_and_its_pdf_holds_the_labels_qr_codes(
    client, batch, owner, tmp_path
):
    harvest(batch, 2)
    db.session.commit()
    headers = _write(owner)

    created = client.post(
        _url(batch, "/label-runs"), json={"format": "a4-24", "count": 3}, headers=headers
    )

    assert created.status_code == 201, created.get_json()
    run = created.get_json()
    assert run["pdf_ready"] is True and run["count"] == 3
    assert client.get(created.headers["Location"], headers=headers).get_json() == run
    pdf = client.get(run["pdf_url"], headers=headers)
    assert pdf.status_code == 200
    assert pdf.content_type == "application/pdf" and pdf.data.startswith(b"%PDF")
    serials = db.session.scalars(select(Label.serial).where(Label.run_id == run["id"])).all()
    found = decode_labels(pdf.data, FORMATS["a4-24"], tmp_path)
    decoded = [codes[0] for page in found for codes in page if codes]
    assert decoded == [labels.label_address(batch, serial) for serial in serials]


def test_a_large_run_is_drawn_by_the_worker_and_polled(app, client, batch, owner, monkeypatch):
    from app.jobs import huey

    harvest(batch, 2)
    db.session.commit()
    monkeypatch.setitem(app.config, "LABEL_RUN_BACKGROUND_FROM", 40)
    monkeypatch.setattr(huey, "immediate", False)
    huey.flush()
    headers = _write(owner)

    created = client.post(_url(batch, "/label-runs"), json={"count": 40}, headers=headers)

    assert created.status_code == 202
    assert created.get_json()["pdf_ready"] is False
    assert huey.pending_count() == 1
    waiting = client.get(created.get_json()["pdf_url"], headers=headers)
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] == "5"
    assert huey.pending_count() == 1  # asked once per lease

    while (task := huey.dequeue()) is not None:
        huey.execute(task)

    assert client.get(created.headers["Location"], headers=headers).get_json()["pdf_ready"]
    ready = client.get(created.get_json()["pdf_url"], headers=headers)
    assert ready.status_code == 200 and ready.content_type == "application/pdf"


def test_labels_before_the_harvest_are_refused_with_409(client, batch, owner):
    headers = _write(owner)
    before = database_snapshot()

    response = client.post(_url(batch, "/label-runs"), json={"count": 3}, headers=headers)

    assert response.status_code == 409
    assert database_snapshot() == before


# Scopes and reach --------------------------------------------------------------------------


def test_batches_read_cannot_record_or_print(client, batch, owner):
    headers = bearer(make_token(owner, {"batches:read"}))
    before = database_snapshot()

    recorded = client.post(_url(batch, "/events"), json=HARVEST, headers=headers)
    printed = client.post(_url(batch, "/label-runs"), json={"count": 3}, headers=headers)

    assert (recorded.status_code, printed.status_code) == (403, 403)
    assert database_snapshot() == before


def test_a_personal_token_cannot_reach_another_farms_batches(client, batch):
    stranger = make_user(Role.FARMER)
    make_farm(stranger, name="Vườn khác")
    harvest(batch, 2)
    run = labels.issue_labels(batch, batch.farm.members[0].user, "a4-24", 2)
    db.session.commit()
    headers = bearer(make_token(stranger, {"batches:read", "batches:write"}))
    before = database_snapshot()

    answers = [
        client.get(f"/api/v1/farms/{batch.farm_id}/batches", headers=headers),
        client.get(_url(batch), headers=headers),
        client.get(_url(batch, "/events"), headers=headers),
        client.post(_url(batch, "/events"), json=HARVEST, headers=headers),
        client.post(_url(batch, "/label-runs"), json={"count": 1}, headers=headers),
        client.get(_url(batch, f"/label-runs/{run.id}/pdf"), headers=headers),
    ]

    assert [a.status_code for a in answers] == [403] * 6
    assert database_snapshot() == before


def test_a_farm_key_reaches_its_own_farm_only(client, batch, owner):
    second = make_farm(owner, name="Vườn thứ hai")
    theirs = make_batch(second, make_product(second, name="Nhãn lồng"), code="NL2606-A")
    db.session.commit()
    headers = bearer(make_token(owner, farm=batch.farm))
    before = database_snapshot()

    read = client.get(_url(theirs), headers=headers)
    recorded = client.post(_url(theirs, "/events"), json=HARVEST, headers=headers)
    # Another farm's batch under this farm's address is not found here
    crossed = client.get(f"/api/v1/farms/{batch.farm_id}/batches/{theirs.id}", headers=headers)

    assert (read.status_code, recorded.status_code, crossed.status_code) == (403, 403, 404)
    assert database_snapshot() == before
    assert client.get(_url(batch), headers=headers).status_code == 200
    assert db.session.get(Batch, theirs.id).event_count == 0


def test_the_list_runs_as_many_statements_for_many_batches_as_for_one(client, batch, owner):
    headers = _write(owner)
    url = f"/api/v1/farms/{batch.farm_id}/batches"
    assert client.get(url, headers=headers).status_code == 200
    db.session.commit()  # as after the rows added below: the session's objects expire
    with count_queries() as few:
        client.get(url, headers=headers)
    for n in range(3):
        make_batch(batch.farm, make_product(batch.farm, name=f"Nhãn {n}"), code=f"NL-{n}")
    db.session.commit()

    with count_queries() as many:
        response = client.get(url, headers=headers)

    assert len(response.get_json()["items"]) == 4
    assert len(many) == len(few)


def test_a_batch_of_another_farms_product_is_refused(client, batch, owner):
    elsewhere = make_product(make_farm(name="Vườn khác"), name="Xoài")
    db.session.commit()
    headers = _write(owner)
    before = database_snapshot()

    response = client.post(
        f"/api/v1/farms/{batch.farm_id}/batches", json={"product_id": elsewhere.id}, headers=headers
    )

    assert response.status_code == 422
    assert "product_id" in response.get_json()["errors"]
    assert database_snapshot() == before


def test_the_document_says_the_pdf_is_a_pdf(client):
    document = client.get("/api/v1/openapi.json").get_json()

    path = "/api/v1/farms/{farm_id}/batches/{batch_id}/label-runs/{run_id}/pdf"
    answers = document["paths"][path]["get"]["responses"]
    assert list(answers["200"]["content"]) == ["application/pdf"]
    assert "Retry-After" in answers["202"]["headers"]
