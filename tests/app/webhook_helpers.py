"""Shared by the webhook tests: a local listener, endpoints made through the service, and
the verification function of the README's listener script (deploy/webhook_listener.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.webhooks import services
from app.webhooks.models import EventType, WebhookDelivery
from tests.support.fake_http import Answer, fake_provider

ALL_EVENTS = [kind.value for kind in EventType]
LISTENER_SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "webhook_listener.py"


def listener_module():
    spec = importlib.util.spec_from_file_location("webhook_listener", LISTENER_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify = listener_module().verify


@pytest.fixture
def allow_local(app, monkeypatch):
    """A listener on 127.0.0.1 over plain http may receive webhooks (as under `make run`)."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_LOCAL", True)


@pytest.fixture
def public_only(app, monkeypatch):
    """Production's rule: https to public addresses only."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_LOCAL", False)


@pytest.fixture
def listener(allow_local):
    """A local HTTP server that records each request and answers 200 (scriptable)."""
    with fake_provider(Answer(200, {"ok": True})) as server:
        yield server


def farm_endpoint(farm, actor, url, events=ALL_EVENTS):
    return services.create_endpoint(
        services.farm_scope(actor, farm.id), url=url, event_types=events
    )


def operator_endpoint(operator, url, events=ALL_EVENTS):
    return services.create_endpoint(services.operator_scope(operator), url=url, event_types=events)


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
