"""The dashboard's charts (monthly series, the provinces side by side, the map, OCOP stars)
carry the demo's figures, the very numbers of the tables under them; a province operator
sees their province's charts and no map."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from app.auth.roles import Role
from dashboard import tables
from tests.app.factories import log_in, make_user
from tests.dashboard.charts_svg import SVG, charts, map_fills, tooltips
from tests.dashboard.scenario import LATER, load_demo_story

MARCH = "/admin/dashboard?period=month&on=2027-03-05"
MARCH_REVENUE = 165_000 + 615_000 + 665_000


@pytest.fixture
def story(app):
    load_demo_story(app)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_country_wide_charts_carry_the_demo_figures(story, client):
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    found = charts(_page(client, MARCH))
    assert set(found) == {
        "Đơn đặt hàng theo tháng",
        "Doanh thu theo tháng",
        "Doanh thu theo tỉnh",
        "Bản đồ: hộ đang bán",
        "Sản phẩm OCOP theo số sao",
    }
    revenue = tooltips(found["Doanh thu theo tháng"])
    # One series: nothing happened a year before the demo, so no second one.
    assert {label.partition(", ")[0] for label in revenue} == {"Mười hai tháng đến 03/2027"}
    assert revenue["Mười hai tháng đến 03/2027, 03/2027"] == MARCH_REVENUE
    assert revenue["Mười hai tháng đến 03/2027, 02/2027"] == 0
    orders = tooltips(found["Đơn đặt hàng theo tháng"])
    assert orders["Mười hai tháng đến 03/2027, 03/2027"] == 7

    provinces = tooltips(found["Doanh thu theo tỉnh"])
    assert len(provinces) == 34
    assert provinces["Thái Nguyên"] == MARCH_REVENUE  # Tân Cương took every order
    # Cà Mau has no farm: no record, so zero (known), as Hải Phòng's March is.
    assert provinces["TP. Hải Phòng"] == 0 and provinces["Cà Mau"] == 0

    households = found["Bản đồ: hộ đang bán"]
    by_households = tooltips(households, "path")
    # Thanh Hà and Hà Đông; Sáng; Tân Cương is a cooperative, no household
    assert by_households["TP. Hải Phòng"] == 2 and by_households["Tuyên Quang"] == 1
    assert by_households["Thái Nguyên"] == 0 and by_households["Cà Mau"] == 0
    assert sum(value is not None for value in by_households.values()) == 34
    assert "—" not in households.findtext(f"{SVG}title") + "".join(households.itertext())
    fills = map_fills(households)
    assert len(fills) == 34 and fills["31"] != fills["08"] != fills["96"]

    assert tooltips(found["Sản phẩm OCOP theo số sao"]) == {"3 sao": 1, "4 sao": 1, "5 sao": 1}


def test_the_map_can_be_coloured_by_revenue(story, client):
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    found = charts(_page(client, MARCH + "&map=revenue"))
    assert "Bản đồ: hộ đang bán" not in found
    by_revenue = tooltips(found["Bản đồ: doanh thu"], "path")
    assert by_revenue["Thái Nguyên"] == MARCH_REVENUE
    # An unknown choice falls back to households selling.
    assert "Bản đồ: hộ đang bán" in charts(_page(client, MARCH + "&map=<b>"))


def test_the_year_before_is_drawn_beside_when_it_has_figures(story, client):
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    found = charts(_page(client, "/admin/dashboard?period=month&on=2028-03-05"))
    revenue = tooltips(found["Doanh thu theo tháng"])
    assert revenue["Cùng các tháng một năm trước, 03/2028"] == MARCH_REVENUE
    assert revenue["Mười hai tháng đến 03/2028, 03/2028"] == 0
    # The cash order paid on 10/04/2027 is in this series; April 2026 had nothing.
    assert revenue["Mười hai tháng đến 03/2028, 04/2027"] == 765_000
    assert revenue["Cùng các tháng một năm trước, 04/2027"] == 0


def test_a_province_operator_sees_the_province_charts_and_no_map(story, client):
    operator = make_user(Role.OPERATOR, operator_province_code="31")
    log_in(client, operator.phone)
    html = _page(client, MARCH)
    found = charts(html)
    assert set(found) == {
        "Đơn đặt hàng theo tháng",
        "Doanh thu theo tháng",
        "Sản phẩm OCOP theo số sao",
    }
    assert 'data-code="' not in html and 'data-testid="map-choice"' not in html
    # Hải Phòng took no order in March; its OCOP product is the 3-star pomelo.
    orders = tooltips(found["Đơn đặt hàng theo tháng"])
    assert set(orders.values()) == {0}
    assert tooltips(found["Sản phẩm OCOP theo số sao"]) == {"3 sao": 1, "4 sao": 0, "5 sao": 0}


def test_the_map_reads_the_provinces_columns_by_what_they_hold(story, client, monkeypatch):
    """A column put first in the provinces table (say, farms verified) shifts neither the map
    nor the revenue bars: they find households selling and revenue by their metric."""
    built = tables.provinces_table

    def with_a_new_first_column(provinces):
        table = built(provinces)
        table.columns.insert(1, tables.Column("Farms verified", key="farms_verified"))
        for row in table.rows:
            row.insert(1, 7)
        return table

    monkeypatch.setattr(tables, "provinces_table", with_a_new_first_column)
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    html = _page(client, MARCH)
    assert "Farms verified" in html  # the new column is there
    found = charts(html)
    assert tooltips(found["Bản đồ: hộ đang bán"], "path")["TP. Hải Phòng"] == 2
    assert tooltips(found["Doanh thu theo tỉnh"])["Thái Nguyên"] == MARCH_REVENUE
    by_revenue = charts(_page(client, MARCH + "&map=revenue"))["Bản đồ: doanh thu"]
    assert tooltips(by_revenue, "path")["Thái Nguyên"] == MARCH_REVENUE


def test_on_the_public_page_no_farm_is_zero_households_and_hidden_revenue(story, client):
    """/figures: a province with no farm has 0 households selling (known) but its revenue is
    hidden by the confidentiality rule, like any place with fewer than 3 sellers; the map's
    legend says why it is grey, and the page explains "—"."""
    with freeze_time(LATER, tick=True):
        households = charts(_page(client, "/figures"))["Bản đồ: hộ đang bán"]
        html = _page(client, "/figures?map=revenue")
    assert tooltips(households, "path")["Cà Mau"] == 0
    assert "Ẩn: < 3 nơi bán" not in "".join(households.itertext())
    found = charts(html)
    revenue = found["Bản đồ: doanh thu"]
    assert tooltips(revenue, "path")["Cà Mau"] is None
    assert tooltips(found["Doanh thu theo tỉnh"])["Cà Mau"] is None
    assert "Ẩn: < 3 nơi bán" in [node.text for node in revenue.iter(f"{SVG}text")]
    assert "Nơi có ít hơn 3 hộ và hợp tác xã đang bán" in html
    # Under the map's table and the bars' table, what their "—" means.
    note = "“—”: không công bố, nơi đó có ít hơn 3 hộ và hợp tác xã đang bán."
    assert html.count(f'<p class="chart-note">{note}</p>') == 2


def test_the_dashboard_s_province_tables_have_no_unknown_to_explain(story, client):
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    html = _page(client, MARCH + "&map=revenue")
    assert 'class="chart-note"' not in html and "Ẩn: &lt; 3 nơi bán" not in html
