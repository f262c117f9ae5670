"""Factories for accounts: real objects built through the services, with overridable fields."""

from __future__ import annotations

import itertools

from app.auth import services
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db

PASSWORD = "mat-khau-an-toan"
_numbers = itertools.count(1)


def make_user(role: Role = Role.BUYER, **overrides) -> User:
    n = next(_numbers)
    # Generated numbers start 0913 so they never meet the 0912… numbers tests type by hand.
    identifier = overrides.pop("identifier", None) or f"0913{n:06d}"
    user = services.register_user(
        overrides.pop("full_name", f"Người dùng {n}"),
        identifier,
        overrides.pop("password", PASSWORD),
        language=overrides.pop("language", "vi"),
    )
    user.role = role.value
    for key, value in overrides.items():
        setattr(user, key, value)
    db.session.flush()
    return user


def log_in(client, identifier: str, password: str = PASSWORD, remember: bool = False):
    return client.post_form(
        "/login",
        {"identifier": identifier, "password": password, **({"remember": "y"} if remember else {})},
    )


def make_outbound_message(**overrides):
    """An outbox row as the worker leaves it (sent through the outbox provider unless told)."""
    from app.db import utcnow
    from app.messaging.models import OutboundMessage

    fields = {
        "channel": "sms",
        "recipient": "+84913000001",
        "kind": "order_placed",
        "subject": "",
        "body": "Đơn NS000001 đã được đặt.",
        "status": "sent",
        "attempts": 1,
        "provider": "outbox",
        "next_attempt_at": utcnow(),
    }
    fields.update(overrides)
    message = OutboundMessage(**fields)
    db.session.add(message)
    db.session.flush()
    return message
