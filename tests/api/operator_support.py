"""Operators for the operator API's tests: one for Hải Phòng (31), one for the whole country,
and a farm of each of two provinces."""

from __future__ import annotations

from app.auth.roles import Role
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.farms.factories import make_farm

HAI_PHONG, HA_NOI = "31", "01"
READ, WRITE = {"operator:read"}, {"operator:read", "operator:write"}


def province_operator(**overrides):
    return make_user(Role.OPERATOR, operator_province_code=HAI_PHONG, **overrides)


def country_operator(**overrides):
    return make_user(Role.OPERATOR, **overrides)


def headers_of(user, scopes=WRITE, *, language: str = "en", **token) -> dict[str, str]:
    return bearer(make_token(user, scopes, **token), language)


def two_provinces_farms():
    """(a Hải Phòng farm, a Hà Nội farm)."""
    return make_farm(province_code=HAI_PHONG), make_farm(province_code=HA_NOI)
