"""What a hostile or broken program sends: every answer is a problem, never a 500, and
nothing changes. (Found by a review of the API; PostgreSQL refuses NUL in text, so those
cases ended in a 500 there only.)"""

from __future__ import annotations

import base64

import pytest

from app.auth.roles import Role
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import make_batch


@pytest.fixture
def farm_and_token(app):
    farmer = make_user(Role.FARMER)
    farm = make_farm(farmer)
    return farm, make_token(farmer)


@pytest.mark.parametrize("text", ["a\u0000b", "\ud800"])
def test_a_diary_note_with_characters_no_database_keeps_is_refused(client, farm_and_token, text):
    farm, secret = farm_and_token
    batch = make_batch(farm)
    before = database_snapshot()

    response = client.post(
        f"/api/v1/farms/{farm.id}/batches/{batch.id}/events",
        json={"kind": "note", "occurred_at": "2026-06-01T03:00:00Z", "note": text},
        headers=bearer(secret),
    )

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "note": ["This text holds characters that are not text."]
    }
    assert database_snapshot() == before


def test_a_nul_in_a_query_parameter_is_refused(client, farm_and_token):
    farm, secret = farm_and_token

    response = client.get(f"/api/v1/farms/{farm.id}/orders?status=new%00", headers=bearer(secret))

    assert response.status_code in (400, 422)
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("path", ["/batches", "/webhooks", "/variants"])
def test_a_body_nested_deeper_than_the_parser_goes_is_a_problem(client, farm_and_token, path):
    farm, secret = farm_and_token
    before = database_snapshot()

    response = client.open(
        f"/api/v1/farms/{farm.id}{path}",
        method="PATCH" if path == "/variants" else "POST",
        data="[" * 50_000,
        headers={**bearer(secret), "Content-Type": "application/json"},
    )

    assert response.status_code in (400, 422)
    assert response.content_type == "application/problem+json"
    assert database_snapshot() == before


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_time_past_the_calendars_ends_is_refused(client, farm_and_token, moment):
    farm, secret = farm_and_token
    batch = make_batch(farm)

    response = client.post(
        f"/api/v1/farms/{farm.id}/batches/{batch.id}/events",
        json={"kind": "note", "occurred_at": moment, "note": "x"},
        headers=bearer(secret),
    )

    assert response.status_code == 422
    assert "occurred_at" in response.get_json()["errors"]


@pytest.mark.parametrize("after", [10**20, -(10**20), 0])
def test_a_cursor_past_any_row_id_is_refused(client, farm_and_token, after):
    farm, secret = farm_and_token
    cursor = base64.urlsafe_b64encode(str(after).encode()).decode().rstrip("=")

    listed = client.get(f"/api/v1/farms/{farm.id}/orders?cursor={cursor}", headers=bearer(secret))
    events = client.get(f"/api/v1/epcis/events?nextPageToken={cursor}", headers=bearer(secret))

    assert (listed.status_code, events.status_code) == (422, 422)
