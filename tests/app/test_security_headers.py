"""Production headers (HSTS, Permissions-Policy) and no stored copies of private pages."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from app.auth.roles import Role
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm


@pytest.fixture
def production(app, monkeypatch):
    monkeypatch.setitem(app.config, "NONGSAN_ENV", "production")


def test_production_pages_ask_for_https_and_switch_off_device_features(client, production):
    response = client.get("/")

    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_development_pages_do_not_pin_https(client):
    # A developer's http://127.0.0.1 must not be told to use https for a year.
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize("role", [Role.BUYER, Role.FARMER, Role.OPERATOR])
def test_pages_of_a_signed_in_user_are_never_stored(client, role):
    user = make_user(role, identifier="0912000555")
    farm = make_farm(user) if role is Role.FARMER else None
    log_in(client, "0912000555")
    urls = ["/profile", "/orders", "/", "/products"]
    if farm is not None:
        urls += [f"/dashboard/farms/{farm.id}", f"/dashboard/farms/{farm.id}/orders"]
    if role is Role.OPERATOR:
        urls += ["/admin/farms", "/admin/payouts"]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers.get("Cache-Control", ""), url


def test_account_addresses_are_not_stored_even_when_signed_out(client):
    for url in ["/dashboard", "/profile", "/admin/farms", "/checkout"]:
        assert "no-store" in client.get(url).headers.get("Cache-Control", ""), url


def test_public_pages_and_files_keep_their_own_caching(client):
    assert "no-store" not in client.get("/products").headers.get("Cache-Control", "")
    static = client.get("/static/css/site.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_gunicorn_is_at_least_23_request_smuggling_fix():
    config = configparser.ConfigParser()
    config.read(Path(__file__).parents[2] / "setup.cfg")
    requirements = [
        Requirement(line)
        for line in config["options"]["install_requires"].splitlines()
        if line.strip()
    ]
    gunicorn = next(r for r in requirements if r.name == "gunicorn")
    assert not gunicorn.specifier.contains("22.0.0")
    assert gunicorn.specifier.contains("23.0.0")
