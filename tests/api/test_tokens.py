"""Personal access tokens: which permissions an account may give, POST /api/v1/tokens with
the account's password (the log-in form's throttle), DELETE /api/v1/token, last use."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from app.auth.api_tokens import ApiToken, create_personal_token, scopes_for
from app.auth.roles import Role
from app.errors import DomainError
from app.extensions import db
from tests.api.factories import bearer, make_token
from tests.app.factories import PASSWORD, log_in, make_user
from tests.support.snapshots import database_snapshot

BODY = {"name": "Kế toán HTX", "scopes": ["orders:read"], "expires_in_days": 90}


def basic(identifier: str, password: str = PASSWORD) -> dict[str, str]:
    raw = base64.b64encode(f"{identifier}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}", "Accept-Language": "en"}


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


#: (role, scopes its tokens may hold, scopes they may not). A table in one test: a
#: parametrized test would make the session's database twice (the backend is a session
#: parameter).
ROLE_SCOPES = [
    (Role.BUYER, {"purchases:read"}, {"orders:read", "farm:write", "operator:read"}),
    (Role.FARMER, {"purchases:read", "orders:write", "farm:read"}, {"operator:read"}),
    (Role.COOP_MANAGER, {"batches:write", "purchases:read"}, {"operator:write"}),
    (Role.OPERATOR, {"operator:read", "operator:write", "orders:read"}, set()),
]


def test_an_account_gives_only_the_permissions_of_its_role(app):
    for role, allowed, refused in ROLE_SCOPES:
        person = make_user(role)

        assert allowed <= scopes_for(person), role
        assert not refused & scopes_for(person), role
        create_personal_token(person, name="ok", scopes=allowed, lifetime_days=30)
        for scope in refused:
            before = database_snapshot()
            with pytest.raises(DomainError) as error:
                create_personal_token(person, name="x", scopes={scope}, lifetime_days=30)
            assert error.value.field == "scopes"
            assert database_snapshot() == before


def test_a_token_lives_30_90_or_365_days_only(app):
    farmer = make_user(Role.FARMER)

    with pytest.raises(DomainError) as error:
        create_personal_token(farmer, name="x", scopes={"orders:read"}, lifetime_days=400)

    assert error.value.field == "expires_in_days"


def test_the_password_makes_a_token_whose_secret_is_shown_once(client, app):
    farmer = make_user(Role.FARMER, identifier="0912000771")

    response = client.post("/api/v1/tokens", json=BODY, headers=basic("0912 000 771"))

    assert response.status_code == 201
    body = response.get_json()
    assert body["secret"].startswith("nss_")
    assert (body["scopes"], body["user_id"], body["farm_id"]) == (["orders:read"], farmer.id, None)
    stored = db.session.scalars(select(ApiToken)).one()
    assert body["secret"] not in (stored.secret_sha256, stored.hint)
    itself = client.get("/api/v1/token", headers=bearer(body["secret"]))
    assert itself.status_code == 200
    assert "secret" not in itself.get_json()


def test_a_wrong_password_makes_nothing(client, app):
    make_user(Role.FARMER, identifier="0912000772")
    before = database_snapshot()

    response = client.post("/api/v1/tokens", json=BODY, headers=basic("0912000772", "sai-roi"))

    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert database_snapshot() == before


def test_without_credentials_the_body_is_not_even_read(client, app):
    before = database_snapshot()

    response = client.post("/api/v1/tokens", json={"name": ""})

    assert response.status_code == 401
    assert database_snapshot() == before


def test_a_buyer_cannot_make_a_farm_token_over_http(client, app):
    make_user(Role.BUYER, identifier="0912000773")
    before = database_snapshot(excluding=[])

    response = client.post(
        "/api/v1/tokens",
        json={**BODY, "scopes": ["orders:write"]},
        headers=basic("0912000773"),
    )

    assert response.status_code == 422
    assert "scopes" in response.get_json()["errors"]
    # Only the log-in time moved (the password was right); no token was made.
    assert db.session.scalars(select(ApiToken)).all() == []
    assert {k: v for k, v in database_snapshot().items() if k != "user_account"} == {
        k: v for k, v in before.items() if k != "user_account"
    }


def test_wrong_passwords_from_one_address_count_with_the_log_in_forms(app):
    # Given an attacker who sends five wrong passwords to the API, for five accounts
    make_user(Role.FARMER, identifier="0912000774")
    attacker = _from(app, "203.0.113.9")
    for n in range(5):
        wrong = basic(f"091200078{n}", "sai-mat-khau")
        assert attacker.post("/api/v1/tokens", json=BODY, headers=wrong).status_code == 401

    # Then neither the API nor the log-in form takes a sixth try from that address
    refused = attacker.post("/api/v1/tokens", json=BODY, headers=basic("0912000774"))
    assert refused.status_code == 429
    assert refused.content_type == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert log_in(attacker, "0912000774").status_code == 429
    # While the account's owner, elsewhere, still makes a token
    owner = _from(app, "198.51.100.7")
    assert owner.post("/api/v1/tokens", json=BODY, headers=basic("0912000774")).status_code == 201


def test_wrong_passwords_for_one_account_are_counted_whatever_the_address(app):
    # Given wrong passwords for one account on the log-in form, from five addresses
    make_user(Role.FARMER, identifier="0912000775")
    for n in range(5):
        assert log_in(_from(app, f"203.0.113.{n}"), "0912000775", "sai").status_code == 422

    # Then the API takes no more tries for that account, from a sixth address
    before = database_snapshot()
    elsewhere = _from(app, "203.0.113.50")
    response = elsewhere.post("/api/v1/tokens", json=BODY, headers=basic("0912 000 775"))
    assert response.status_code == 429
    assert database_snapshot() == before


def test_a_program_revokes_the_token_it_calls_with(client, app):
    farmer = make_user(Role.FARMER)
    secret = make_token(farmer, {"orders:read"})
    other = make_token(farmer, {"orders:read"})

    response = client.delete("/api/v1/token", headers=bearer(secret))

    assert response.status_code == 204
    assert client.get("/api/v1/token", headers=bearer(secret)).status_code == 401
    assert client.get("/api/v1/token", headers=bearer(other)).status_code == 200


def test_revoking_without_a_token_changes_nothing(client, app):
    make_token(make_user(Role.FARMER))
    before = database_snapshot()

    response = client.delete("/api/v1/token", headers=bearer("nss_not-a-token"))

    assert response.status_code == 401
    assert database_snapshot() == before


def test_a_read_records_when_the_token_was_last_used(client, app):
    farmer = make_user(Role.FARMER)
    secret = make_token(farmer, {"orders:read"})

    client.get("/api/v1/token", headers=bearer(secret))

    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None
