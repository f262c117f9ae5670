"""A farm's API keys: any manager of the farm makes, sees and revokes them; nobody else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.auth.api_tokens import ApiToken, authenticate
from app.auth.roles import Role
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from farms import api_keys
from farms.models import FarmMember, MemberRole
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot

SECRET = re.compile(r"nss_[A-Za-z0-9_-]{20,}")


def _with_manager(farm):
    manager = make_user(Role.FARMER, language="en")
    farm.members.append(FarmMember(user=manager, role=MemberRole.MANAGER.value))
    db.session.flush()
    return manager


def test_a_farm_key_reaches_its_farm_with_farm_permissions_only(app):
    farm = make_farm()
    owner = farm.members[0].user

    key, secret = api_keys.create_farm_key(
        farm, owner, name="HTX", scopes={"orders:read"}, lifetime_days=90
    )

    credential = authenticate(secret)
    assert (credential.farm_id, credential.user.id) == (farm.id, owner.id)
    before = database_snapshot()
    with pytest.raises(DomainError):
        api_keys.create_farm_key(farm, owner, name="x", scopes={"purchases:read"}, lifetime_days=90)
    assert database_snapshot() == before


def test_another_manager_of_the_farm_sees_and_revokes_a_key_they_did_not_make(client, app):
    farm = make_farm()
    _, secret = api_keys.create_farm_key(
        farm, farm.members[0].user, name="Kế toán HTX", scopes={"orders:read"}, lifetime_days=30
    )
    token_id = authenticate(secret).token_id
    manager = _with_manager(farm)
    log_in(client, manager.phone)

    page = client.get(f"/dashboard/farms/{farm.id}/api-keys")
    revoked = client.post_form(f"/dashboard/farms/{farm.id}/api-keys/{token_id}/revoke")

    assert "Kế toán HTX" in page.get_data(as_text=True)
    assert revoked.status_code == 302
    db.session.expire_all()
    assert authenticate(secret) is None


def test_a_manager_makes_a_key_on_the_farms_page_and_sees_its_secret_once(client, app):
    farm = make_farm()
    manager = _with_manager(farm)
    log_in(client, manager.phone)
    url = f"/dashboard/farms/{farm.id}/api-keys"

    made = client.post_form(
        url, {"name": "Giao hàng", "scopes": ["orders:read"], "expires_in_days": "365"}
    )

    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(made.get_data(as_text=True)).group(0)
    assert authenticate(secret).farm_id == farm.id
    assert secret not in client.get(url).get_data(as_text=True)


def test_another_farms_manager_can_neither_see_nor_revoke_the_keys(client, app):
    farm = make_farm()
    _, secret = api_keys.create_farm_key(
        farm, farm.members[0].user, name="Bí mật", scopes={"orders:read"}, lifetime_days=30
    )
    token_id = authenticate(secret).token_id
    stranger_farm = make_farm()
    stranger = stranger_farm.members[0].user
    db.session.commit()
    log_in(client, stranger.phone)
    before = database_snapshot(excluding=[ApiToken])

    page = client.get(f"/dashboard/farms/{farm.id}/api-keys")
    revoke = client.post_form(f"/dashboard/farms/{farm.id}/api-keys/{token_id}/revoke")
    # Nor through their own farm's address
    sideways = client.post_form(f"/dashboard/farms/{stranger_farm.id}/api-keys/{token_id}/revoke")

    assert page.status_code == 403
    assert "Bí mật" not in page.get_data(as_text=True)
    assert revoke.status_code == 403
    assert sideways.status_code == 404
    assert db.session.scalars(select(ApiToken)).one().revoked_at is None
    assert database_snapshot(excluding=[ApiToken]) == before
    with pytest.raises(PermissionDenied):
        api_keys.farm_keys(farm, stranger)
    with pytest.raises(PermissionDenied):
        api_keys.revoke_key(farm, stranger, token_id)


def test_the_farms_dashboard_links_to_its_keys_which_offer_farm_permissions_only(client, app):
    farm = make_farm()
    log_in(client, farm.members[0].user.phone)

    overview = client.get(f"/dashboard/farms/{farm.id}").get_data(as_text=True)
    page = client.get(f"/dashboard/farms/{farm.id}/api-keys").get_data(as_text=True)

    assert f"/dashboard/farms/{farm.id}/api-keys" in overview
    assert 'value="orders:write"' in page and 'value="batches:write"' in page
    assert 'value="purchases:read"' not in page and 'value="operator:read"' not in page


def test_an_operator_makes_no_farm_key_and_an_old_one_does_not_sign_in(app):
    from datetime import timedelta

    from app.auth.api_tokens import create_token
    from app.db import utcnow

    farm = make_farm()
    operator = make_user(Role.OPERATOR)
    before = database_snapshot()

    with pytest.raises(DomainError):
        api_keys.create_farm_key(
            farm, operator, name="tỉnh", scopes={"batches:write"}, lifetime_days=30
        )

    assert database_snapshot() == before
    # One made before the rule (straight through the service below it) is refused at sign-in.
    _, secret = create_token(
        operator,
        name="cũ",
        scopes={"batches:write"},
        expires_at=utcnow() + timedelta(days=30),
        farm_id=farm.id,
    )
    assert authenticate(secret) is None
