"""/api/v1/operator/figures: the dashboard's figures read by its own service, for the
operator's province (or any, country-wide); a program's wrong period is a 422 where the page
would show another one and explain."""

from __future__ import annotations

import pytest

from app.clock import local_today
from dashboard.periods import period_of
from dashboard.refresh import refresh_figures
from tests.api.operator_support import (
    HA_NOI,
    HAI_PHONG,
    READ,
    country_operator,
    headers_of,
    province_operator,
    two_provinces_farms,
)
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot


@pytest.fixture
def selling(app):
    """A household selling in Hải Phòng and one in Hà Nội, in today's figures."""
    for farm in two_provinces_farms():
        make_product(farm)
    assert refresh_figures()


def _figures(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return {figure["key"]: figure for figure in response.get_json()["figures"]}


def test_a_province_operator_reads_their_provinces_month(client, selling):
    response = client.get("/api/v1/operator/figures", headers=headers_of(province_operator(), READ))

    body = response.get_json()
    month = period_of("month", local_today())
    assert body["province"] == HAI_PHONG
    assert body["period"] == {
        "kind": "month",
        "first": month.first.isoformat(),
        "last": month.last.isoformat(),
    }
    listing = _figures(response)["households_listing"]
    assert (listing["current"], listing["kind"]) == (1, "count")
    assert isinstance(_figures(response)["revenue_vnd"]["current"], int)


def test_a_country_wide_operator_reads_the_country_or_a_province(client, selling):
    headers = headers_of(country_operator(), READ)

    country = client.get("/api/v1/operator/figures?period=year", headers=headers)
    ha_noi = client.get(f"/api/v1/operator/figures?province={HA_NOI}", headers=headers)

    assert country.get_json()["province"] is None
    assert country.get_json()["period"]["first"].endswith("-01-01")
    assert _figures(country)["households_listing"]["current"] == 2
    assert _figures(ha_noi)["households_listing"]["current"] == 1


def test_a_range_of_days_as_the_dashboard_reads_it(client, selling):
    today = local_today().isoformat()

    response = client.get(
        f"/api/v1/operator/figures?period=range&from={today}&to={today}",
        headers=headers_of(province_operator(), READ),
    )

    assert response.get_json()["period"] == {"kind": "range", "first": today, "last": today}
    assert response.get_json()["previous_period"]["kind"] == "range"


def test_another_province_is_not_found_for_a_province_operator(client, selling):
    headers = headers_of(province_operator(), READ)
    before = database_snapshot()

    response = client.get(f"/api/v1/operator/figures?province={HA_NOI}", headers=headers)

    assert response.status_code == 404
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "query",
    [
        "period=range&from=2027-03-10&to=2027-03-01",
        "period=range&from=2027-03-10",
        "period=range&from=2000-01-01&to=2027-03-01",
        "on=1999-12-31",
        "province=99",
        "commune=nowhere",
    ],
)
def test_a_period_or_place_the_page_would_replace_is_refused(client, selling, query):
    headers = headers_of(province_operator(), READ)
    before = database_snapshot()

    response = client.get(f"/api/v1/operator/figures?{query}", headers=headers)

    assert response.status_code == 422, response.get_json()
    assert response.content_type == "application/problem+json"
    assert database_snapshot() == before
