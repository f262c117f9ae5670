"""Signatures: Stripe's scheme over the timestamp and the body, checked by the README's
listener script with a five-minute tolerance; the secret is shown once and never stored."""
# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.webhooks.models import WebhookEndpoint
from app.webhooks.signing import endpoint_secret, signature, signed_headers
from tests.app.factories import make_user
from tests.app.webhook_helpers import allow_local, operator_endpoint, verify  # noqa: F401

SECRET = "whsec_test"
BODY = b'{"id":"evt_1","type":"order.paid","data":{"order":{"total_vnd":125000}}}'
NOW = 1_790_000_000


def _header(secret=SECRET, timestamp=NOW, body=BODY) -> str:
    return signed_headers(secret, timestamp, body, event_type="order.paid", event_id="evt_1")[
        "Nongsan-Signature"
    ]


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert signature(SECRET, NOW, BODY) == expected
    assert _header() == f"t={NOW},v1={expected}"


def test_the_headers_name_the_event_and_its_idempotency_id():
    headers = signed_headers(SECRET, NOW, BODY, event_type="order.paid", event_id="evt_1")

    assert headers["Nongsan-Event"] == "order.paid"
    assert headers["Nongsan-Event-Id"] == "evt_1"
    assert headers["Content-Type"].startswith("application/json")


def test_the_listener_accepts_a_fresh_signature():
    assert verify(SECRET, _header(), BODY, now=NOW + 299)
    assert verify(SECRET, _header(), BODY, now=NOW - 299)


def test_the_listener_refuses_a_changed_body_another_secret_or_a_stale_time():
    assert not verify(SECRET, _header(), BODY.replace(b"125000", b"1"), now=NOW)
    assert not verify("whsec_other", _header(), BODY, now=NOW)
    assert not verify(SECRET, _header(), BODY, now=NOW + 301)
    assert not verify(SECRET, _header(), BODY, now=NOW - 301)


def test_the_listener_refuses_a_malformed_header_and_accepts_any_matching_v1():
    good = signature(SECRET, NOW, BODY)

    assert not verify(SECRET, "", BODY, now=NOW)
    assert not verify(SECRET, f"v1={good}", BODY, now=NOW)
    assert not verify(SECRET, f"t={NOW}", BODY, now=NOW)
    assert not verify(SECRET, f"t=soon,v1={good}", BODY, now=NOW)
    assert verify(SECRET, f"t={NOW},v1=00ff,v1={good}", BODY, now=NOW)


def test_each_endpoint_gets_its_own_secret_which_is_not_stored(app, allow_local):
    operator = make_user(Role.OPERATOR)
    first, first_secret = operator_endpoint(operator, "https://93.184.216.34/a")
    second, second_secret = operator_endpoint(operator, "https://93.184.216.34/b")

    assert first_secret.startswith("whsec_") and first_secret != second_secret
    # It can be derived again for signing, but no column holds it.
    assert endpoint_secret(first.secret_salt) == first_secret
    stored = db.session.execute(select(WebhookEndpoint.__table__)).all()
    assert not any(first_secret in str(value) for row in stored for value in row)
    assert first.secret_hint == first_secret[-4:]


def test_the_secret_depends_on_the_servers_secret_key(app, monkeypatch):
    before = endpoint_secret("salt")
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-key")

    assert endpoint_secret("salt") != before


def test_a_delivery_names_its_sender_and_each_endpoint_gets_a_128_bit_salt():
    from app.webhooks.signing import new_salt, signed_headers

    headers = signed_headers("whsec_x", 1_700_000_000, b"{}", event_type="order.paid", event_id="e")
    salts = {new_salt() for _ in range(3)}

    # Receivers filter their logs and firewalls on it.
    assert headers["User-Agent"] == "NongSanSo-Webhooks/1"
    assert len(salts) == 3 and all(len(salt) == 32 and int(salt, 16) >= 0 for salt in salts)
