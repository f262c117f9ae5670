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
