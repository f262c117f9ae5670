"""Who sees which figures: a province operator their province only (the service refuses
another province and the whole country, and nothing changes); others not at all."""

from __future__ import annotations

from datetime import date

import pytest

from app.auth.roles import Role
from app.errors import NotFound, PermissionDenied
from dashboard import services
from tests.app.factories import log_in, make_user
from tests.dashboard.scenario import board_for, load_demo_story, values
from tests.support.snapshots import database_snapshot


@pytest.fixture
def story(app):
    load_demo_story(app)


def _hai_phong_operator():
    return make_user(Role.OPERATOR, operator_province_code="31")


def test_a_province_operator_sees_their_province_by_default(story):
    operator = _hai_phong_operator()
    board = board_for(operator, on="2027-03-05")
    assert board.filters.province == "31"
    assert values(board)["households_listing"] == 2 and values(board)["orders"] == 0


def test_the_service_refuses_another_province_to_a_province_operator(story):
    operator = _hai_phong_operator()
    before = database_snapshot()
    with pytest.raises(NotFound):
        board_for(operator, province="19")
    assert database_snapshot() == before


def test_the_service_refuses_the_whole_country_to_a_province_operator(story):
    operator = _hai_phong_operator()
    filters = services.read_filters({}, operator, date(2027, 4, 10))
    filters.province = None
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.dashboard(operator, filters, date(2027, 4, 10))
    assert database_snapshot() == before


def test_a_farmer_is_refused(story):
    with pytest.raises(PermissionDenied):
        board_for(make_user(Role.FARMER), province="31")


def test_the_page_and_the_downloads_of_another_province_are_not_found(story, client):
    operator = _hai_phong_operator()
    log_in(client, operator.phone)
    before = database_snapshot()
    for path in (
        "/admin/dashboard?province=19",
        "/admin/dashboard/figures.csv?province=19",
        "/admin/dashboard/payment_methods.xlsx?province=19",
    ):
        assert client.get(path).status_code == 404
    page = client.get("/admin/dashboard?on=2027-03-05")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "TP. Hải Phòng" in html and 'id="filter-province"' not in html
    assert database_snapshot() == before


def test_a_buyer_cannot_open_the_dashboard(story, client):
    buyer = make_user(Role.BUYER)
    log_in(client, buyer.phone)
    assert client.get("/admin/dashboard").status_code == 403


def test_an_unknown_table_is_not_found(story, client):
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    assert client.get("/admin/dashboard/users.csv").status_code == 404
