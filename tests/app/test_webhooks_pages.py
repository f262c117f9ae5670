"""The webhook pages: a farm's (in its dashboard) and an operator's own. The secret shows
once; the log lists each attempt; pause, replay and delete are the owner's; another farm's
people get 403 and change nothing."""

# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

import pytest

from app.auth.roles import Role
from app.extensions import db
from app.webhooks import publish
from app.webhooks.models import WebhookEndpoint
from tests.app.factories import log_in, make_user
from tests.app.webhook_helpers import (  # noqa: F401  (fixtures)
    allow_local,
    deliveries,
    farm_endpoint,
    listener,
    operator_endpoint,
)
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

FARMER = "0912000555"


@pytest.fixture
def farm(app):
    farm = make_farm(make_user(Role.FARMER, identifier=FARMER), province_code="31")
    db.session.commit()
    return farm


def _page(farm) -> str:
    return f"/dashboard/farms/{farm.id}/webhooks"


def test_a_farmer_adds_an_endpoint_and_sees_the_secret_only_then(client, farm, listener):
    log_in(client, FARMER)

    added = client.post_form(
        _page(farm), {"url": listener.url, "event_types": ["order.placed", "order.paid"]}
    )

    assert added.status_code == 200
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    from app.webhooks.signing import endpoint_secret

    secret = endpoint_secret(endpoint.secret_salt)
    assert secret in added.get_data(as_text=True)
    again = client.get(_page(farm))
    assert secret not in again.get_data(as_text=True)
    assert listener.url in page_text(again)
    assert endpoint.event_type_list == ["order.placed", "order.paid"]


def test_a_refused_endpoint_is_shown_on_the_form_and_nothing_is_saved(
    client, farm, app, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_LOCAL", False)
    log_in(client, FARMER)
    before = database_snapshot()

    refused = client.post_form(
        _page(farm), {"url": "https://169.254.169.254/", "event_types": ["order.paid"]}
    )
    no_events = client.post_form(_page(farm), {"url": "https://93.184.216.34/"})

    assert refused.status_code == no_events.status_code == 422
    # The farmer reads Vietnamese
    assert "chỉ gửi tới địa chỉ công khai" in page_text(refused)
    assert "ít nhất một sự kiện" in page_text(no_events)
    assert database_snapshot() == before


def test_the_log_pause_replay_and_delete(client, farm, listener):
    endpoint, _ = farm_endpoint(farm, farm.members[0].user, listener.url)
    publish("order.placed", {"order": {"id": 1}}, farm_id=farm.id)
    db.session.commit()
    [delivery] = deliveries()
    log_in(client, FARMER)
    base = f"{_page(farm)}/{endpoint.id}"

    log = page_text(client.get(base))
    assert delivery.event_id in log and "#1" in log and "200" in log

    client.post_form(f"{base}/deliveries/{delivery.id}/replay")
    assert len(listener.requests) == 2
    client.post_form(f"{base}/pause")
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).active is False

    unconfirmed = client.post_form(f"{base}/delete")
    assert unconfirmed.status_code == 302
    assert _endpoint_ids() == [endpoint.id]
    client.post_form(f"{base}/delete", {"confirm": "y"})
    assert _endpoint_ids() == []
    assert deliveries() == []


def _endpoint_ids() -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(WebhookEndpoint.id)))


def test_another_farms_people_cannot_see_or_touch_its_endpoints(client, farm, listener):
    endpoint, _ = farm_endpoint(farm, farm.members[0].user, listener.url)
    publish("order.placed", {"order": {"id": 1}}, farm_id=farm.id)
    db.session.commit()
    [delivery] = deliveries()
    make_farm(make_user(Role.FARMER, identifier="0912000666"))
    db.session.commit()
    log_in(client, "0912000666")
    before = database_snapshot()
    base = f"{_page(farm)}/{endpoint.id}"

    assert client.get(_page(farm)).status_code == 403
    assert client.get(base).status_code == 403
    for path in ("pause", "resume", f"deliveries/{delivery.id}/replay"):
        assert client.post_form(f"{base}/{path}").status_code == 403
    assert client.post_form(f"{base}/delete", {"confirm": "y"}).status_code == 403
    added = client.post_form(_page(farm), {"url": listener.url, "event_types": ["order.paid"]})
    assert added.status_code == 403

    assert database_snapshot() == before
    assert len(listener.requests) == 1


def test_an_operator_has_their_own_endpoints_and_a_farmer_has_none(client, app, farm, listener):
    operator = make_user(Role.OPERATOR, identifier="admin@example.vn")
    colleague = make_user(Role.OPERATOR)
    theirs, _ = operator_endpoint(colleague, listener.url)
    db.session.commit()
    log_in(client, "admin@example.vn")

    added = client.post_form(
        "/admin/webhooks", {"url": listener.url, "event_types": ["batch.recalled"]}
    )
    assert added.status_code == 200
    mine = db.session.scalars(
        db.select(WebhookEndpoint).where(WebhookEndpoint.owner_id == operator.id)
    ).one()
    assert mine.farm_id is None
    assert client.get(f"/admin/webhooks/{theirs.id}").status_code == 404
    assert client.get(f"/admin/webhooks/{mine.id}").status_code == 200

    farmer = app.test_client()
    log_in(farmer, FARMER)
    assert farmer.get("/admin/webhooks").status_code == 403
