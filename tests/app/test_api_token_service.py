"""The token service's rules, one by one: what a token may be named, hold and live, how a
secret is recognised, and when its use is noted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.api_scopes import FARM_SCOPES
from app.auth.api_tokens import (
    LAST_USED_PRECISION,
    MAX_LIFETIME,
    TOKEN_PREFIX,
    ApiToken,
    authenticate,
    create_personal_token,
    create_token,
    record_use,
    revoke_token,
)
from app.auth.roles import Role
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot


def english(message) -> str:
    """A lazily translated message as an English reader sees it."""
    from flask import current_app
    from flask_babel import force_locale

    with current_app.test_request_context(), force_locale("en"):
        return str(message)


def _make(owner, now, **overrides):
    fields = {"name": "Kế toán", "scopes": {"orders:read"}, "expires_at": now + timedelta(days=30)}
    fields.update(overrides)
    return create_token(owner, now=now, **fields)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "   "}, "name", "Give the token a name of 1 to 80 characters."),
        ({"name": "x" * 81}, "name", "Give the token a name of 1 to 80 characters."),
        ({"scopes": set()}, "scopes", "Choose at least one permission from the list."),
        (
            {"scopes": {"orders:read", "root"}},
            "scopes",
            "Choose at least one permission from the list.",
        ),
        ({"expires_at": "now"}, "expires_at", "A token must expire within a year."),
        ({"expires_at": "past the year"}, "expires_at", "A token must expire within a year."),
    ],
)
def test_a_token_out_of_bounds_is_refused_and_nothing_is_kept(app, overrides, field, message):
    owner, now, overrides = make_user(Role.FARMER), utcnow(), dict(overrides)
    if overrides.get("expires_at") == "now":
        overrides["expires_at"] = now
    elif overrides.get("expires_at") == "past the year":
        overrides["expires_at"] = now + MAX_LIFETIME + timedelta(seconds=1)
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        _make(owner, now, **overrides)

    assert (refused.value.field, english(refused.value.message)) == (field, message)
    assert database_snapshot() == before


def test_the_bounds_themselves_are_allowed(app):
    owner, now = make_user(Role.FARMER), utcnow()

    token, secret = _make(
        owner,
        now,
        name="  " + "x" * 80 + " ",
        scopes={"orders:write", "orders:read"},
        expires_at=now + MAX_LIFETIME,
    )

    assert token.name == "x" * 80
    assert token.scopes == "orders:read orders:write"
    assert token.expires_at == now + MAX_LIFETIME
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    assert token.hint == secret[: len(TOKEN_PREFIX) + 4]
    assert token.user_id == owner.id and token.farm_id is None


def test_a_farm_key_holds_farm_scopes_only(app):
    owner, now = make_user(Role.OPERATOR), utcnow()
    farm = make_farm()

    with pytest.raises(DomainError) as refused:
        _make(owner, now, scopes={"operator:read"}, farm_id=farm.id)
    token, _ = _make(owner, now, scopes=set(FARM_SCOPES), farm_id=farm.id)

    assert refused.value.field == "scopes"
    assert english(refused.value.message) == "A farm key can only hold the farm's permissions."
    assert token.farm_id == farm.id


def test_a_personal_token_lives_a_chosen_time_with_the_accounts_scopes(app):
    buyer, now = make_user(Role.BUYER), utcnow()

    with pytest.raises(DomainError) as wrong_lifetime:
        create_personal_token(buyer, name="x", scopes={"purchases:read"}, lifetime_days=31)
    with pytest.raises(DomainError) as wrong_scope:
        create_personal_token(buyer, name="x", scopes={"orders:read"}, lifetime_days=30)
    token, _ = create_personal_token(
        buyer, name="x", scopes={"purchases:read"}, lifetime_days=90, now=now
    )

    assert wrong_lifetime.value.field == "expires_in_days"
    assert (
        english(wrong_lifetime.value.message)
        == "Choose how long the token lives: 30, 90 or 365 days."
    )
    assert wrong_scope.value.field == "scopes"
    assert (
        english(wrong_scope.value.message) == "Your account cannot give a token these permissions."
    )
    assert token.expires_at == now + timedelta(days=90)


def test_only_a_secret_of_ours_and_of_a_sane_length_is_looked_up(app):
    owner, now = make_user(Role.FARMER), utcnow()
    _, secret = _make(owner, now)

    assert authenticate(secret, now=now) is not None
    assert authenticate(secret[len(TOKEN_PREFIX) :], now=now) is None
    assert authenticate(TOKEN_PREFIX + "x" * (100 - len(TOKEN_PREFIX)), now=now) is None
    assert authenticate(secret + "x" * (101 - len(secret)), now=now) is None


def test_a_token_stops_at_its_expiry_to_the_second(app):
    owner, now = make_user(Role.FARMER), utcnow()
    token, secret = _make(owner, now)

    assert authenticate(secret, now=token.expires_at - timedelta(seconds=1)) is not None
    assert authenticate(secret, now=token.expires_at) is None


def test_a_use_is_noted_at_most_once_per_precision(app):
    owner, now = make_user(Role.FARMER), utcnow()
    token, secret = _make(owner, now)

    first = record_use(authenticate(secret, now=now), now=now)
    soon = now + LAST_USED_PRECISION - timedelta(seconds=1)
    again_soon = record_use(authenticate(secret, now=soon), now=soon)
    later = now + LAST_USED_PRECISION + timedelta(seconds=1)
    credential_later = authenticate(secret, now=later)
    again_later = record_use(credential_later, now=later)

    assert (first, again_soon, again_later) == (True, False, True)
    assert authenticate(secret, now=now).last_used_at is not None
    db.session.refresh(token)
    assert token.last_used_at == later


def test_a_stale_credential_does_not_write_over_a_newer_use(app):
    owner, now = make_user(Role.FARMER), utcnow()
    _, secret = _make(owner, now)
    stale = authenticate(secret, now=now)
    record_use(authenticate(secret, now=now), now=now + timedelta(seconds=1))

    assert record_use(stale, now=now + timedelta(seconds=2)) is False


def test_revoking_twice_keeps_the_first_time(app):
    owner, now = make_user(Role.FARMER), utcnow()
    token, _ = _make(owner, now)

    revoke_token(owner, token.id, now=now + timedelta(minutes=1))
    revoke_token(owner, token.id, now=now + timedelta(minutes=2))

    assert db.session.get(ApiToken, token.id).revoked_at == now + timedelta(minutes=1)


def test_noting_one_tokens_use_leaves_the_others_alone(app):
    owner, now = make_user(Role.FARMER), utcnow()
    used, secret = _make(owner, now)
    idle, _ = _make(owner, now, name="idle")

    record_use(authenticate(secret, now=now), now=now)

    db.session.refresh(used)
    db.session.refresh(idle)
    assert (used.last_used_at, idle.last_used_at) == (now, None)


def test_revoking_a_farm_key_that_does_not_exist_or_is_no_farms_is_not_found(app):
    from app.auth.api_tokens import revoke_farm_key
    from app.errors import NotFound

    owner, now = make_user(Role.FARMER), utcnow()
    farm = make_farm(owner)
    personal, _ = _make(owner, now)

    with pytest.raises(NotFound):
        revoke_farm_key(farm.id, 999_999)
    with pytest.raises(NotFound):
        revoke_farm_key(farm.id, personal.id)
    assert db.session.get(ApiToken, personal.id).revoked_at is None
