"""API tokens for tests, and a client that sends one."""

from __future__ import annotations

from datetime import timedelta

from app.auth.api_scopes import FARM_SCOPES, SCOPES
from app.auth.api_tokens import create_token
from app.auth.models import User
from app.db import utcnow

ALL_SCOPES = frozenset(SCOPES)


def make_token(
    user: User,
    scopes=ALL_SCOPES,
    *,
    farm=None,
    name: str = "test token",
    lifetime: timedelta = timedelta(days=30),
) -> str:
    """A usable secret for `user` (limited to `farm` when given: a farm key)."""
    if farm is not None and scopes is ALL_SCOPES:
        scopes = FARM_SCOPES
    _, secret = create_token(
        user,
        name=name,
        scopes=frozenset(scopes),
        expires_at=utcnow() + lifetime,
        farm_id=farm.id if farm is not None else None,
    )
    return secret


def bearer(secret: str, language: str = "en") -> dict[str, str]:
    """Headers of an API call with this token (in English unless asked otherwise)."""
    return {"Authorization": f"Bearer {secret}", "Accept-Language": language}
