"""/api/v1/farms/{farm_id}/webhooks and /api/v1/operator/webhooks: register (the secret
once), list, pause, delete, the delivery log and replay; a token never reaches another farm's
endpoints or deliveries, or another operator's, and a refusal changes nothing."""

# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

import pytest

from app.auth.roles import Role
from app.extensions import db
from app.webhooks import publish
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.app.webhook_helpers import (  # noqa: F401  (fixtures)
    allow_local,
    deliveries,
    farm_endpoint,
    listener,
    operator_endpoint,
    public_only,
    verify,
)
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot


@pytest.fixture
def farm(app):
    return make_farm(province_code="31")


def _farmer(farm):
    return farm.members[0].user


def _base(farm) -> str:
    return f"/api/v1/farms/{farm.id}/webhooks"


def test_a_farm_registers_an_endpoint_and_sees_its_secret_once(client, farm, listener):
    token = make_token(_farmer(farm), {"farm:read", "farm:write"})

    created = client.post(
        _base(farm),
        json={"url": listener.url, "event_types": ["order.paid", "order.placed"]},
        headers=bearer(token),
    )

    assert created.status_code == 201
    body = created.get_json()
    assert body["secret"].startswith("whsec_") and body["secret"].endswith(body["secret_hint"])
    assert body["event_types"] == ["order.placed", "order.paid"]
    assert (body["farm_id"], body["active"]) == (farm.id, True)
    listed = client.get(_base(farm), headers=bearer(token)).get_json()
    assert [e["id"] for e in listed["items"]] == [body["id"]]
    assert "secret" not in listed["items"][0]
    one = client.get(f"{_base(farm)}/{body['id']}", headers=bearer(token)).get_json()
    assert "secret" not in one and one["url"] == listener.url

    # And an event reaches the listener, signed with that secret
    publish("order.paid", {"order": {"id": 1}}, farm_id=farm.id)
    db.session.commit()
    [request] = listener.requests
    assert verify(body["secret"], request.headers["nongsan-signature"], request.body)


def test_pause_delivery_log_replay_and_delete(client, farm, listener):
    token = make_token(_farmer(farm), {"farm:read", "farm:write"})
    endpoint, _ = farm_endpoint(farm, _farmer(farm), listener.url)
    publish("order.placed", {"order": {"id": 1}}, farm_id=farm.id)
    db.session.commit()
    url = f"{_base(farm)}/{endpoint.id}"

    log = client.get(f"{url}/deliveries", headers=bearer(token)).get_json()
    [delivery] = log["items"]
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 1)
    assert delivery["payload"]["data"] == {"order": {"id": 1}}
    assert delivery["attempt_log"][0]["status_code"] == 200

    replayed = client.post(f"{url}/deliveries/{delivery['id']}/replay", headers=bearer(token))
    assert replayed.status_code == 202
    assert replayed.get_json()["replay_of_id"] == delivery["id"]
    assert replayed.get_json()["event_id"] == delivery["event_id"]
    assert len(listener.requests) == 2

    paused = client.patch(url, json={"active": False}, headers=bearer(token))
    assert paused.status_code == 200 and paused.get_json()["active"] is False
    publish("order.placed", {"order": {"id": 2}}, farm_id=farm.id)
    db.session.commit()
    assert len(listener.requests) == 2

    assert client.delete(url, headers=bearer(token)).status_code == 204
    assert client.get(url, headers=bearer(token)).status_code == 404
    assert client.get(_base(farm), headers=bearer(token)).get_json()["items"] == []


def test_bad_input_is_a_422_and_changes_nothing(client, farm, public_only):
    token = make_token(_farmer(farm), {"farm:write"})
    before = database_snapshot()

    for body in (
        {"url": "https://10.0.0.1/in", "event_types": ["order.paid"]},
        {"url": "http://93.184.216.34/in", "event_types": ["order.paid"]},
        {"url": "https://93.184.216.34/in", "event_types": []},
        {"url": "https://93.184.216.34/in", "event_types": ["order.eaten"]},
        {"url": "x" * 501, "event_types": ["order.paid"]},
    ):
        response = client.post(_base(farm), json=body, headers=bearer(token))
        assert response.status_code == 422, body
        assert response.content_type == "application/problem+json"

    assert database_snapshot() == before


def test_a_farm_token_cannot_reach_another_farms_endpoints_or_deliveries(client, farm, listener):
    other = make_farm(province_code="31")
    endpoint, _ = farm_endpoint(other, _farmer(other), listener.url)
    publish("order.placed", {"order": {"id": 1}}, farm_id=other.id)
    db.session.commit()
    [delivery] = deliveries()
    delivery_id = delivery.id
    mine = make_token(_farmer(farm), {"farm:read", "farm:write"})
    key = make_token(_farmer(farm), farm=farm)
    before = database_snapshot(excluding=_token_tables())
    theirs = f"/api/v1/farms/{other.id}/webhooks"

    for token in (mine, key):
        headers = bearer(token)
        assert client.get(theirs, headers=headers).status_code == 403
        assert client.get(f"{theirs}/{endpoint.id}", headers=headers).status_code == 403
        assert client.get(f"{theirs}/{endpoint.id}/deliveries", headers=headers).status_code == 403
        assert (
            client.post(
                f"{theirs}/{endpoint.id}/deliveries/{delivery_id}/replay", headers=headers
            ).status_code
            == 403
        )
        assert (
            client.patch(
                f"{theirs}/{endpoint.id}", json={"active": False}, headers=headers
            ).status_code
            == 403
        )
        assert client.delete(f"{theirs}/{endpoint.id}", headers=headers).status_code == 403
        assert (
            client.post(
                theirs, json={"url": listener.url, "event_types": ["order.paid"]}, headers=headers
            ).status_code
            == 403
        )
        # Nor through its own farm's path with the other farm's endpoint id
        ours = f"{_base(farm)}/{endpoint.id}"
        assert client.get(ours, headers=headers).status_code == 404
        assert client.get(f"{ours}/deliveries", headers=headers).status_code == 404
        assert client.delete(ours, headers=headers).status_code == 404
        assert (
            client.post(f"{ours}/deliveries/{delivery_id}/replay", headers=headers).status_code
            == 404
        )

    assert database_snapshot(excluding=_token_tables()) == before
    assert len(listener.requests) == 1


def _token_tables():
    from app.auth.api_tokens import ApiToken

    return (ApiToken,)  # last_used_at moves on every call


def test_scopes_are_enforced(client, farm):
    reader = make_token(_farmer(farm), {"farm:read"})
    nothing = make_token(_farmer(farm), {"orders:read"})

    assert client.get(_base(farm), headers=bearer(nothing)).status_code == 403
    assert client.get(_base(farm)).status_code == 401
    refused = client.post(
        _base(farm),
        json={"url": "https://93.184.216.34/in", "event_types": ["order.paid"]},
        headers=bearer(reader),
    )
    assert refused.status_code == 403


def test_an_operator_manages_only_their_own_endpoints(client, app, listener):
    operator = make_user(Role.OPERATOR)
    colleague = make_user(Role.OPERATOR, operator_province_code="31")
    theirs, _ = operator_endpoint(colleague, listener.url)
    db.session.commit()
    token = make_token(operator, {"operator:read", "operator:write"})

    created = client.post(
        "/api/v1/operator/webhooks",
        json={"url": listener.url, "event_types": ["batch.recalled"]},
        headers=bearer(token),
    )
    assert created.status_code == 201 and created.get_json()["farm_id"] is None
    listed = client.get("/api/v1/operator/webhooks", headers=bearer(token)).get_json()
    assert [e["id"] for e in listed["items"]] == [created.get_json()["id"]]
    before = database_snapshot(excluding=_token_tables())
    url = f"/api/v1/operator/webhooks/{theirs.id}"
    assert client.get(url, headers=bearer(token)).status_code == 404
    assert client.delete(url, headers=bearer(token)).status_code == 404
    assert database_snapshot(excluding=_token_tables()) == before


def test_a_farmer_is_no_operator_whatever_the_token_holds(client, farm):
    token = make_token(_farmer(farm), {"operator:read", "operator:write"})

    assert client.get("/api/v1/operator/webhooks", headers=bearer(token)).status_code == 403


def test_the_list_is_paged_by_cursor(client, farm, allow_local):
    token = make_token(_farmer(farm), {"farm:read"})
    for n in range(3):
        farm_endpoint(farm, _farmer(farm), f"http://127.0.0.1:9/{n}")
    db.session.commit()

    first = client.get(f"{_base(farm)}?limit=2", headers=bearer(token))
    body = first.get_json()
    assert len(body["items"]) == 2 and body["next_cursor"]
    assert 'rel="next"' in first.headers["Link"]
    rest = client.get(
        f"{_base(farm)}?limit=2&cursor={body['next_cursor']}", headers=bearer(token)
    ).get_json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
