"""The SSRF guard: https to public addresses only, checked at registration and again at each
delivery (where the checked address is the one connected to), unless WEBHOOKS_ALLOW_LOCAL."""
# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

import pytest

from app.auth.roles import Role
from app.config import load_config
from app.errors import DomainError
from app.extensions import db
from app.webhooks import publish
from app.webhooks.address_guard import check_url, is_public
from app.webhooks.models import WebhookEndpoint
from tests.app.factories import make_user
from tests.app.webhook_helpers import (  # noqa: F401  (fixtures)
    allow_local,
    deliveries,
    listener,
    operator_endpoint,
    public_only,
)
from tests.support.snapshots import table_snapshot

REFUSED = [
    "http://93.184.216.34/hook",  # plain http
    "https://127.0.0.1/hook",  # loopback
    "https://[::1]/hook",
    "https://10.0.0.5/hook",  # private
    "https://192.168.1.10/hook",
    "https://172.16.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",  # link-local: the cloud's metadata service
    "https://[fe80::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4 in IPv6 clothing
    "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://user:pw@93.184.216.34/hook",
    "ftp://93.184.216.34/hook",
    "https:///hook",
    "https://93.184.216.34:99999/hook",
    "https://93.184.216.34/a\x00b",
    "https://exa\x00mple.vn/hook",
    "https://93.184.216.34/\ud800",
    "https://93.184.216.34/a b",
    "https://" + "a" * 64 + ".vn/hook",  # an IDNA label over 63 characters
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_private_local_or_plain_http_address_is_refused(app, public_only, url):
    operator = make_user(Role.OPERATOR)
    before = table_snapshot(WebhookEndpoint)

    with pytest.raises(DomainError) as refusal:
        operator_endpoint(operator, url)

    assert refusal.value.field == "url"
    assert table_snapshot(WebhookEndpoint) == before


def test_a_host_name_that_resolves_to_a_private_address_is_refused(app, public_only, monkeypatch):
    monkeypatch.setattr(
        "app.webhooks.address_guard.resolve", lambda host, port: ["93.184.216.34", "10.1.2.3"]
    )

    with pytest.raises(DomainError):
        check_url("https://hooks.example.vn/in")


def test_a_public_https_address_is_accepted(app, public_only, monkeypatch):
    monkeypatch.setattr("app.webhooks.address_guard.resolve", lambda host, port: ["93.184.216.34"])

    target = check_url("https://hooks.example.vn:8443/in?farm=1")

    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example.vn",
        8443,
        "/in?farm=1",
        "93.184.216.34",
    )


def test_ip_classification():
    assert is_public("93.184.216.34") and is_public("2606:2800:220:1::1")
    assert not any(
        is_public(a)
        for a in ("127.0.0.1", "10.0.0.1", "169.254.1.1", "::1", "fc00::1", "224.0.0.1")
    )


def test_the_address_is_checked_again_at_delivery(app, listener, monkeypatch):
    # Registered while allowed (or while the name pointed to a public address) ...
    operator = make_user(Role.OPERATOR)
    operator_endpoint(operator, listener.url)
    db.session.commit()
    # ... it now points to our own network: the attempt is refused, nothing is sent.
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_LOCAL", False)
    publish("order.paid", {"order": {"id": 1}})
    db.session.commit()

    assert listener.requests == []
    [delivery] = deliveries()
    assert delivery.status == "retrying" and delivery.last_status_code is None
    assert delivery.last_error == "not https"


def test_a_name_that_now_resolves_privately_is_refused_at_delivery(app, public_only, monkeypatch):
    answers = {"hooks.example.vn": ["93.184.216.34"]}
    monkeypatch.setattr("app.webhooks.address_guard.resolve", lambda host, port: answers[host])
    operator_endpoint(make_user(Role.OPERATOR), "https://hooks.example.vn/in")
    db.session.commit()
    answers["hooks.example.vn"] = ["169.254.169.254"]  # DNS rebinding

    publish("order.paid", {"order": {"id": 1}})
    db.session.commit()

    [delivery] = deliveries()
    assert delivery.status == "retrying"
    assert delivery.attempt_log[0].error == (
        "refused: hooks.example.vn resolves to non-public 169.254.169.254"
    )


def test_local_addresses_are_allowed_in_development_never_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.delenv("WEBHOOKS_ALLOW_LOCAL", raising=False)
    monkeypatch.setenv("NONGSAN_ENV", "development")
    assert load_config(str(tmp_path))["WEBHOOKS_ALLOW_LOCAL"] is True

    monkeypatch.setenv("NONGSAN_ENV", "production")
    assert load_config(str(tmp_path))["WEBHOOKS_ALLOW_LOCAL"] is False
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOCAL", "true")
    assert load_config(str(tmp_path))["WEBHOOKS_ALLOW_LOCAL"] is False

    monkeypatch.setenv("NONGSAN_ENV", "staging")
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOCAL", "false")
    assert load_config(str(tmp_path))["WEBHOOKS_ALLOW_LOCAL"] is False


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254, the cloud's metadata
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "fec0::1",  # site-local
    ],
)
def test_an_ipv6_address_that_leads_to_a_private_one_is_not_public(address):
    assert not is_public(address)


def test_an_ipv6_address_that_leads_to_a_public_one_is_public():
    assert is_public("64:ff9b::808:808") and is_public("2002:808:808::1")
