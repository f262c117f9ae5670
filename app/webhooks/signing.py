"""Signatures in the manner of Stripe's: `Nongsan-Signature: t=<unix seconds>,v1=<hex>`,
where the hex is HMAC-SHA256(secret, f"{t}.{body}"). The timestamp is signed with the body,
so a captured request cannot be replayed later than the receiver's tolerance.

Receivers verify with deploy/webhook_listener.py's `verify` (the README's example).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app

SIGNATURE_HEADER = "Nongsan-Signature"
EVENT_HEADER = "Nongsan-Event"
#: The event's id: the same on every retry and replay, so a receiver can drop repeats.
EVENT_ID_HEADER = "Nongsan-Event-Id"
SECRET_PREFIX = "whsec_"


def new_salt() -> str:
    return secrets.token_hex(16)


def endpoint_secret(salt: str) -> str:
    """The endpoint's signing secret: derived, never stored (rotating SECRET_KEY changes it)."""
    key = current_app.config["SECRET_KEY"].encode()
    derived = hmac.new(key, f"nongsan-webhook-secret:{salt}".encode(), hashlib.sha256)
    return SECRET_PREFIX + derived.hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: int, body: bytes, *, event_type: str, event_id: str):
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "NongSanSo-Webhooks/1",
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(secret, timestamp, body)}",
        EVENT_HEADER: event_type,
        EVENT_ID_HEADER: event_id,
    }
