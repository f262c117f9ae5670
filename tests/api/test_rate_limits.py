"""Every /api/v1 operation is rate-limited per account (all its tokens together), and per
address without a valid token."""

from __future__ import annotations

from app.auth.roles import Role
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user


def test_a_token_past_its_limit_gets_a_429_problem_with_retry_after(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    farmer = make_user(Role.FARMER)
    secret = make_token(farmer, {"orders:read"})
    minted = make_token(farmer, {"orders:read"})
    someone_else = make_token(make_user(Role.FARMER), {"orders:read"})

    answers = [client.get("/api/v1/token", headers=bearer(secret)) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # A second token of the same account shares its allowance: minting tokens does not
    # multiply the limit. Another account's token, from the same address, counts alone.
    assert client.get("/api/v1/token", headers=bearer(minted)).status_code == 429
    assert client.get("/api/v1/token", headers=bearer(someone_else)).status_code == 200


def test_the_limit_counts_every_operation_of_the_api_together(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    secret = make_token(make_user(Role.FARMER), {"orders:read"})

    client.get("/api/v1/token", headers=bearer(secret))
    client.get("/api/v1/token", headers=bearer(secret))
    refused = client.delete("/api/v1/token", headers=bearer(secret))

    assert refused.status_code == 429
    assert client.get("/api/v1/token", headers=bearer(secret)).status_code == 429


def test_calls_without_a_valid_token_are_counted_per_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_ANONYMOUS_RATE_LIMIT", "2 per minute")
    here, there = app.test_client(), app.test_client()
    here.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    there.environ_base["REMOTE_ADDR"] = "203.0.113.6"
    secret = make_token(make_user(Role.FARMER), {"orders:read"})

    guesses = [here.get("/api/v1/token", headers=bearer(f"nss_guess{n}")) for n in range(3)]

    assert [g.status_code for g in guesses] == [401, 401, 429]
    assert guesses[-1].headers["Retry-After"]
    in_vietnamese = here.get("/api/v1/token", headers={"Accept-Language": "vi"})
    assert "Hãy đợi" in in_vietnamese.get_json()["detail"]
    assert there.get("/api/v1/token").status_code == 401
    # A valid token from the same address has its own, larger allowance
    assert here.get("/api/v1/token", headers=bearer(secret)).status_code == 200


def test_the_429_is_in_the_document_of_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()

    operations = [op for item in document["paths"].values() for op in item.values()]
    assert operations
    assert all("429" in op["responses"] for op in operations if isinstance(op, dict))
    too_many = operations[0]["responses"]["429"]
    assert too_many["headers"]["Retry-After"]["required"] is True
    assert "application/problem+json" in too_many["content"]


def test_farm_keys_count_per_farm_so_a_managers_farms_do_not_starve_each_other(
    client, app, monkeypatch
):
    """A cooperative manager mints a key for each member farm: each farm's integration has
    its own allowance, and a second key of the same farm shares it."""
    from tests.farms.factories import make_farm

    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    manager = make_user(Role.FARMER)
    first_farm, second_farm = make_farm(manager), make_farm(manager)
    first_key = make_token(manager, {"orders:read"}, farm=first_farm)
    first_again = make_token(manager, {"orders:read"}, farm=first_farm)
    second_key = make_token(manager, {"orders:read"}, farm=second_farm)

    answers = [client.get("/api/v1/token", headers=bearer(first_key)) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert client.get("/api/v1/token", headers=bearer(first_again)).status_code == 429
    assert client.get("/api/v1/token", headers=bearer(second_key)).status_code == 200
