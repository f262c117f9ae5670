"""Only an operator's own token reaches the operators' operations: a farmer's or a buyer's
token is refused whatever scopes it holds, a farm key cannot hold them, and a token without
the scope is 403. Every refusal leaves the database as it was."""

from __future__ import annotations

import pytest

from app.auth.roles import Role
from app.errors import DomainError
from tests.api.factories import bearer, make_token
from tests.api.operator_support import READ, WRITE, headers_of, province_operator
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot

READS = (
    "/api/v1/operator/farms",
    "/api/v1/operator/farms/{farm}",
    "/api/v1/operator/certifications",
    "/api/v1/operator/ocop-certificates",
    "/api/v1/operator/payouts",
    "/api/v1/operator/payouts/owed",
    "/api/v1/operator/figures",
)
WRITES = (
    ("/api/v1/operator/farms/{farm}/verification", {"decision": "verify"}),
    ("/api/v1/operator/farms/{farm}/payouts", {"amount_vnd": 1000, "reference": "FT1"}),
)


@pytest.mark.parametrize("role", [Role.FARMER, Role.BUYER, Role.COOP_MANAGER])
def test_a_non_operators_token_with_operator_scopes_is_refused(client, app, role):
    user = make_user(role)
    farm = make_farm(owner=user) if role != Role.BUYER else make_farm()
    headers = headers_of(user, WRITE)
    before = database_snapshot()

    answers = [client.get(path.format(farm=farm.id), headers=headers) for path in READS] + [
        client.post(path.format(farm=farm.id), json=body, headers=headers) for path, body in WRITES
    ]

    assert [answer.status_code for answer in answers] == [403] * len(answers)
    assert all(a.content_type == "application/problem+json" for a in answers)
    assert database_snapshot() == before


def test_a_farm_key_cannot_hold_operator_scopes(app):
    operator = province_operator()
    farm = make_farm()

    with pytest.raises(DomainError):
        make_token(operator, WRITE, farm=farm)


def test_a_farm_key_made_by_an_operator_is_refused(client, app):
    operator = province_operator()
    farm = make_farm()
    headers = bearer(make_token(operator, farm=farm))
    before = database_snapshot()

    answers = [client.get(path.format(farm=farm.id), headers=headers) for path in READS]

    # Such a key does not even sign in: a farm's key carries no operator powers.
    assert [answer.status_code for answer in answers] == [401] * len(answers)
    assert database_snapshot() == before


def test_no_token_is_401(client, app):
    assert client.get("/api/v1/operator/farms").status_code == 401


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_a_read_scope_cannot_write(client, app, path, body):
    farm = make_farm()
    headers = headers_of(province_operator(), READ)
    before = database_snapshot()

    response = client.post(path.format(farm=farm.id), json=body, headers=headers)

    assert response.status_code == 403
    assert "operator:write" in response.headers["WWW-Authenticate"]
    assert database_snapshot() == before


def test_a_token_without_operator_scopes_is_refused_for_an_operator_too(client, app):
    headers = headers_of(province_operator(), {"orders:read"})

    assert client.get("/api/v1/operator/farms", headers=headers).status_code == 403
