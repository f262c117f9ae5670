"""The profile's API tokens page: the list, a new token's secret shown once, revoking."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.auth.api_tokens import ApiToken, authenticate
from app.auth.roles import Role
from app.extensions import db
from tests.api.factories import make_token
from tests.app.factories import log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

PAGE = "/profile/api-tokens"
SECRET = re.compile(r"nss_[A-Za-z0-9_-]{20,}")


def _farmer(client):
    farmer = make_user(Role.FARMER, language="en")
    log_in(client, farmer.phone)
    return farmer


def test_the_profile_links_to_the_tokens_page_which_offers_the_accounts_permissions(client, app):
    _farmer(client)

    profile = client.get("/profile")
    page = client.get(PAGE)

    assert PAGE in profile.get_data(as_text=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="orders:write"' in html and 'value="purchases:read"' in html
    assert 'value="operator:read"' not in html
    assert "/api/v1/docs" in html


def test_a_new_token_is_shown_once_and_never_again(client, app):
    farmer = _farmer(client)

    made = client.post_form(
        PAGE, {"name": "Kế toán", "scopes": ["orders:read", "farm:read"], "expires_in_days": "30"}
    )

    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(made.get_data(as_text=True)).group(0)
    credential = authenticate(secret)
    assert credential.user.id == farmer.id
    assert credential.scopes == {"orders:read", "farm:read"}
    again = client.get(PAGE).get_data(as_text=True)
    assert secret not in again
    assert "Kế toán" in again and secret[:8] in again


def test_a_buyer_cannot_tick_a_farm_permission_in(client, app):
    buyer = make_user(Role.BUYER, language="en")
    log_in(client, buyer.phone)
    before = database_snapshot()

    refused = client.post_form(
        PAGE, {"name": "x", "scopes": ["orders:write"], "expires_in_days": "90"}
    )

    assert refused.status_code == 422
    assert "cannot give a token these permissions" in page_text(refused)
    assert not SECRET.search(refused.get_data(as_text=True))
    assert database_snapshot() == before


def test_a_lifetime_not_offered_is_refused(client, app):
    _farmer(client)
    before = database_snapshot()

    refused = client.post_form(
        PAGE, {"name": "x", "scopes": ["orders:read"], "expires_in_days": "9999"}
    )

    assert refused.status_code == 422
    assert database_snapshot() == before


def test_revoking_stops_the_token(client, app):
    farmer = _farmer(client)
    secret = make_token(farmer, {"orders:read"})
    token_id = authenticate(secret).token_id

    response = client.post_form(f"{PAGE}/{token_id}/revoke")

    assert response.status_code == 302
    assert authenticate(secret) is None
    assert "Revoked" in page_text(client.get(PAGE))


def test_revoking_needs_the_forms_csrf_token(client, app):
    farmer = _farmer(client)
    secret = make_token(farmer, {"orders:read"})
    token_id = authenticate(secret).token_id
    before = database_snapshot(excluding=[ApiToken])

    response = client.post(f"{PAGE}/{token_id}/revoke")

    assert response.status_code == 400
    assert authenticate(secret) is not None
    assert database_snapshot(excluding=[ApiToken]) == before


def test_nobody_revokes_or_sees_someone_elses_token(client, app):
    owner = make_user(Role.FARMER)
    secret = make_token(owner, {"orders:read"}, name="Cổng tỉnh")
    token_id = authenticate(secret).token_id
    db.session.commit()
    _farmer(client)
    before = database_snapshot(excluding=[ApiToken])

    response = client.post_form(f"{PAGE}/{token_id}/revoke")

    assert response.status_code == 404
    assert db.session.scalars(select(ApiToken)).one().revoked_at is None
    assert "Cổng tỉnh" not in client.get(PAGE).get_data(as_text=True)
    assert database_snapshot(excluding=[ApiToken]) == before
