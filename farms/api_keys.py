"""A farm's API keys: tokens that stand for the farm, not for a person.

Any manager of the farm sees and revokes all of its keys, whoever made them, so a key made by
someone who has left the farm can still be stopped. A key acts as the person who made it,
limited to this one farm and to the farm's scopes (app.auth.api_tokens).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from app.auth.api_tokens import (
    LIFETIME_CHOICES,
    ApiToken,
    create_token,
    keys_of_farm,
    revoke_farm_key,
)
from app.auth.models import User
from app.auth.roles import Role, has_role
from app.db import utcnow
from app.errors import DomainError
from farms.models import Farm
from farms.permissions import ensure_can_manage


def farm_keys(farm: Farm, actor: User) -> list[ApiToken]:
    """The farm's keys, newest first, revoked ones included."""
    ensure_can_manage(actor, farm)
    return keys_of_farm(farm.id)


def create_farm_key(
    farm: Farm,
    actor: User,
    *,
    name: str,
    scopes: set[str] | frozenset[str],
    lifetime_days: int,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new key for the farm and its secret, which is shown this once. The farm's own people
    make its keys: a key acts as its maker, and an operator's powers (overriding a
    pre-harvest interval, say) must never travel inside a farm's program."""
    ensure_can_manage(actor, farm)
    if has_role(actor, Role.OPERATOR):
        raise DomainError(_l("Only the farm's own people can make its keys."))
    now = now or utcnow()
    if lifetime_days not in LIFETIME_CHOICES:
        raise DomainError(
            _l("Choose how long the token lives: 30, 90 or 365 days."), "expires_in_days"
        )
    return create_token(
        actor,
        name=name,
        scopes=scopes,
        expires_at=now + timedelta(days=lifetime_days),
        farm_id=farm.id,
        now=now,
    )


def revoke_key(farm: Farm, actor: User, token_id: int) -> ApiToken:
    """Stop one of the farm's keys at once."""
    ensure_can_manage(actor, farm)
    return revoke_farm_key(farm.id, token_id)
