"""/api/v1/operator/farms: an operator lists and reads the farms of their scope and verifies
them through the admin page's service; another province's farm does not exist for them."""

from __future__ import annotations

from app.extensions import db
from farms import services as farms
from tests.api.operator_support import (
    HA_NOI,
    HAI_PHONG,
    READ,
    country_operator,
    headers_of,
    province_operator,
    two_provinces_farms,
)
from tests.farms.factories import make_certification, make_farm
from tests.support.snapshots import database_snapshot


def _ids(response) -> list[int]:
    return [farm["id"] for farm in response.get_json()["items"]]


def test_a_province_operator_lists_only_their_provinces_farms(client, app):
    ours, theirs = two_provinces_farms()

    response = client.get("/api/v1/operator/farms", headers=headers_of(province_operator(), READ))

    assert response.status_code == 200
    assert ours.id in _ids(response) and theirs.id not in _ids(response)
    listed = response.get_json()["items"][0]
    assert listed["province_code"] == HAI_PHONG and listed["verified_at"] is None


def test_a_country_wide_operator_filters_by_province_and_verification(client, app):
    operator = country_operator()
    ours, theirs = two_provinces_farms()
    verified = make_farm(province_code=HA_NOI)
    farms.verify_farm(verified, operator)
    headers = headers_of(operator, READ)

    by_province = client.get(f"/api/v1/operator/farms?province={HA_NOI}", headers=headers)
    waiting = client.get(
        f"/api/v1/operator/farms?province={HA_NOI}&verified=false", headers=headers
    )

    assert set(_ids(by_province)) == {theirs.id, verified.id}
    assert _ids(waiting) == [theirs.id]


def test_the_list_pages_by_cursor_without_repeating_a_farm(client, app):
    made = [make_farm().id for _ in range(3)]
    headers = headers_of(province_operator(), READ)

    first = client.get("/api/v1/operator/farms?limit=2", headers=headers)
    cursor = first.get_json()["next_cursor"]
    second = client.get(f"/api/v1/operator/farms?limit=2&cursor={cursor}", headers=headers)

    assert 'rel="next"' in first.headers["Link"]
    assert _ids(first) + _ids(second) == sorted(made, reverse=True)
    assert second.get_json()["next_cursor"] is None


def test_a_province_operator_asking_for_another_province_gets_404(client, app):
    two_provinces_farms()

    response = client.get(
        f"/api/v1/operator/farms?province={HA_NOI}", headers=headers_of(province_operator(), READ)
    )

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_a_farm_reads_as_the_admin_page_shows_it(client, app):
    farm = make_farm(contact_phone="0912345678")
    make_certification(farm)

    response = client.get(
        f"/api/v1/operator/farms/{farm.id}", headers=headers_of(province_operator(), READ)
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["contact_phone"], body["balance_vnd"]) == (
        farm.name,
        "+84912345678",
        0,
    )
    assert [c["number"] for c in body["certifications"]] == ["VietGAP-TT-21-0457"]
    assert body["bank_account"] is None and body["verified_by_name"] is None


def test_an_operator_verifies_a_farm_once(client, app):
    farm = make_farm()
    operator = province_operator(full_name="Chị Vận Hành")
    headers = headers_of(operator)
    path = f"/api/v1/operator/farms/{farm.id}/verification"

    verified = client.post(path, json={"decision": "verify"}, headers=headers)
    before = database_snapshot()
    again = client.post(path, json={"decision": "verify"}, headers=headers)

    assert verified.status_code == 200
    assert verified.get_json()["verified_by_name"] == "Chị Vận Hành"
    db.session.refresh(farm)
    assert farm.verified_by_id == operator.id
    assert again.status_code == 409
    assert database_snapshot() == before


def test_another_provinces_farm_cannot_be_read_or_verified(client, app):
    _, theirs = two_provinces_farms()
    headers = headers_of(province_operator())
    before = database_snapshot()

    read = client.get(f"/api/v1/operator/farms/{theirs.id}", headers=headers)
    verify = client.post(
        f"/api/v1/operator/farms/{theirs.id}/verification",
        json={"decision": "verify"},
        headers=headers,
    )

    assert (read.status_code, verify.status_code) == (404, 404)
    assert database_snapshot() == before


def test_a_read_only_token_cannot_verify(client, app):
    farm = make_farm()
    headers = headers_of(province_operator(), READ)
    before = database_snapshot()

    response = client.post(
        f"/api/v1/operator/farms/{farm.id}/verification",
        json={"decision": "verify"},
        headers=headers,
    )

    assert response.status_code == 403
    assert database_snapshot() == before


def test_an_unknown_decision_is_refused_with_the_field(client, app):
    farm = make_farm()
    headers = headers_of(province_operator())
    before = database_snapshot()

    response = client.post(
        f"/api/v1/operator/farms/{farm.id}/verification",
        json={"decision": "approve"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "decision" in response.get_json()["errors"]
    assert database_snapshot() == before
