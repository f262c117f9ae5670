"""The public /figures page: the headline figures per province for the latest full month and
the year so far, equal to the dashboard's own; the map and the provinces' bars; no person's
or farm's name; cacheable by shared caches; and a fixed number of statements."""

from __future__ import annotations

import re
from datetime import date

import pytest
from freezegun import freeze_time

from app.auth.roles import Role
from app.extensions import db
from dashboard import metrics, tables
from dashboard.confidentiality import too_few_sellers
from dashboard.formatting import figure_value
from dashboard.public_figures import CONFIDENTIAL_KEYS, HEADLINE_KEYS
from dashboard.refresh import refresh_figures
from tests.app.factories import log_in, make_user
from tests.dashboard.charts_svg import charts, tooltips
from tests.dashboard.scenario import LATER, admin, board_for, load_demo_story, values
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries, count_queries

#: Anonymous, the page reads the summary tables only: two periods of three statements (flows
#: with the days to a first sale, stocks, distinct farms), the provinces (flows, stocks) and
#: the freshness.
STATEMENTS = 9


@pytest.fixture
def story(app):
    load_demo_story(app)


def _get(client, path, **kwargs):
    with freeze_time(LATER, tick=True):  # "today" is 10 April 2027 in the story
        return client.get(path, **kwargs)


def _cells(html: str, prefix: str) -> dict[str, str]:
    return dict(re.findall(rf'data-testid="{prefix}-([a-z_]+)">([^<]*)</strong>', html))


def _expected(board) -> dict[str, str]:
    """The dashboard's values as the public page shows them: orders and money unknown ("—")
    where fewer than three businesses sell (dashboard/confidentiality.py)."""
    figures = {figure.key: figure for figure in board.figures}
    shown = values(board)
    if too_few_sellers(shown["households_listing"], shown["cooperatives_listing"]):
        shown.update(dict.fromkeys(CONFIDENTIAL_KEYS))
    return {key: figure_value(shown[key], figures[key].kind) for key in HEADLINE_KEYS}


@pytest.mark.parametrize("province", [None, "31", "19"])
def test_the_figures_equal_the_dashboards(story, client, province):
    query = f"?province={province}" if province else ""
    html = _get(client, "/figures" + query).get_data(as_text=True)
    scope = {"province": province} if province else {}
    march = board_for(admin(), period="month", on="2027-03-01", **scope)
    so_far = board_for(
        admin(), period="range", **{"from": "2027-01-01", "to": "2027-04-10"}, **scope
    )
    assert _cells(html, "month") == _expected(march)
    assert _cells(html, "year") == _expected(so_far)
    assert "Tháng 03/2027" in html and "Từ đầu năm (01/01/2027 – 10/04/2027)" in html


def test_the_country_wide_figures_are_the_hand_counts(story, client):
    html = _get(client, "/figures").get_data(as_text=True)
    month, year = _cells(html, "month"), _cells(html, "year")
    assert month["households_listing"] == "3" and month["orders"] == "7"
    assert month["revenue_vnd"] == figure_value(1_445_000, "vnd")
    # April adds the cash order paid on the 10th (765,000 ₫) and two counted label scans.
    assert year["revenue_vnd"] == figure_value(1_445_000 + 765_000, "vnd")
    assert (month["scans"], year["scans"]) == ("0", "2")
    # The three OCOP decisions were verified on 20 March: in March's stock and the year's.
    stars = re.findall(r'data-testid="ocop-(\d)">(\d+)<', html)
    assert stars == [("3", "1"), ("4", "1"), ("5", "1")] * 2


def test_the_map_and_the_provinces_side_by_side(story, client):
    html = _get(client, "/figures").get_data(as_text=True)
    found = charts(html)
    assert tooltips(found["Bản đồ: hộ đang bán"], "path")["TP. Hải Phòng"] == 2
    # Thái Nguyên's year so far (1,445,000 + 765,000 ₫) is one cooperative's income: the bars
    # and the map by revenue show it as unknown. (The whole country's total, with five
    # sellers, is shown.)
    assert tooltips(found["Doanh thu theo tỉnh"])["Thái Nguyên"] is None
    by_revenue = _get(client, "/figures?map=revenue").get_data(as_text=True)
    assert tooltips(charts(by_revenue)["Bản đồ: doanh thu"], "path")["Thái Nguyên"] is None


def test_with_enough_sellers_a_provinces_money_is_shown(story, client, monkeypatch):
    import dashboard.confidentiality as confidentiality

    monkeypatch.setattr(confidentiality, "MIN_SELLERS_SHOWN", 1)
    html = _get(client, "/figures?map=revenue").get_data(as_text=True)
    year_revenue = 1_445_000 + 765_000
    assert tooltips(charts(html)["Doanh thu theo tỉnh"])["Thái Nguyên"] == year_revenue
    assert tooltips(charts(html)["Bản đồ: doanh thu"], "path")["Thái Nguyên"] == year_revenue


def test_the_page_has_its_freshness_definitions_picker_and_open_data_links(story, client):
    html = _get(client, "/figures?province=31").get_data(as_text=True)
    assert "Số liệu cập nhật lúc" in html
    assert 'data-testid="public-scope">TP. Hải Phòng<' in html
    assert '<option value="31" selected>' in html
    assert "Các hộ hiện có ít nhất một sản phẩm đang đăng bán" in html  # a definition
    assert (
        "/open-data/figures.json?province=31" in html
        and "/open-data/figures.csv?province=31" in html
    )


def test_an_unknown_province_shows_the_country_and_says_so(story, client):
    response = _get(client, "/figures?province=<script>")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Không có tỉnh “&lt;script&gt;”" in html or "&lt;script&gt;" in html
    assert "<script>”" not in html
    assert 'data-testid="public-scope">Cả nước<' in html


def test_no_name_of_a_person_or_a_farm(story, client):
    with freeze_time(LATER, tick=True):  # a refresh asked before the story's is skipped
        owner = make_user(Role.FARMER, full_name="Bà Nguyễn Thị Độc Nhất")
        farm = make_farm(owner, name="Vườn Mận Độc Nhất Vô Nhị", province_code="31")
        make_product(farm, name="Mận hậu Độc Nhất")
        db.session.flush()
        assert refresh_figures()
        db.session.commit()
    for path in ("/figures", "/figures?province=31"):
        html = _get(client, path).get_data(as_text=True)
        assert "Độc Nhất" not in html
        for demo_name in ("Thanh Hà", "Tân Cương", "Hoa Hà Đông", "Vườn cam Sáng", "Chè"):
            assert demo_name not in html, demo_name
    assert _cells(html, "year")["households_listing"] == "3"


def test_shared_caches_may_keep_it(story, client):
    response = _get(client, "/figures")
    assert response.cache_control.public and response.cache_control.max_age > 0
    assert response.headers.get("ETag")
    again = _get(client, "/figures", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # Signed in, the page (with its header) is the person's own.
    with freeze_time(LATER, tick=True):
        log_in(client, "admin@nongsan.demo", "nongsan-demo")
    assert _get(client, "/figures").headers["Cache-Control"] == "private, no-store"


def test_a_fixed_number_of_statements(story, client):
    def more_farms_and_orders():
        for n in range(3):
            make_product(make_farm(province_code="19"), name=f"Chè móc câu {n}")
        db.session.flush()
        assert refresh_figures()

    with freeze_time(LATER, tick=True):
        assert_fixed_queries(client, "/figures?province=19", more_farms_and_orders)
        with count_queries() as statements:
            assert client.get("/figures").status_code == 200
    assert len(statements) == STATEMENTS, "\n".join(s[:120] for s in statements)


def test_before_any_figure_the_page_says_so(client):
    response = _get(client, "/figures")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Số liệu chưa được tính lần nào." in html
    assert _cells(html, "year")["households_listing"] == "0"
    assert _cells(html, "year")["orders"] == "—"  # no seller: nothing to show either


def test_the_open_data_page_links_here(client):
    html = client.get("/open-data").get_data(as_text=True)
    assert 'href="/figures"' in html


def _definitions(html: str) -> list[str]:
    return re.findall(r'<dd class="hint">([^<]*)</dd>', html)


@pytest.mark.parametrize(
    "language, words",
    [("vi", ("bảng", "Bảng")), ("en", ("table", "Table"))],
)
def test_the_definitions_point_at_nothing_the_page_lacks(story, client, language, words):
    """No definition sends the reader to a table (by category, OCOP level, payment method
    or delivery province) the dashboard has and this page does not."""
    html = _get(client, "/figures", headers={"Accept-Language": language}).get_data(as_text=True)
    definitions = _definitions(html)
    assert len(definitions) == len(HEADLINE_KEYS)
    for definition in definitions:
        assert not any(word in definition for word in words), definition
    assert "<table" not in html.split('data-testid="public-provinces"')[0]
    # What it says instead holds: the stars are on the lines above the OCOP definition.
    ocop = html.split('data-testid="public-ocop_products"')[1].split("</div>")[0]
    stars, definition = ocop.index('data-testid="public-ocop-stars"'), ocop.index('class="hint"')
    assert stars < definition
    above = "các dòng bên trên" if language == "vi" else "lines above"
    assert above in _definitions(ocop)[0]


def test_the_page_says_why_some_money_is_not_shown(story, client):
    html = _get(client, "/figures?province=19").get_data(as_text=True)
    assert _cells(html, "year")["revenue_vnd"] == "—"
    assert "Nơi có ít hơn 3 hộ và hợp tác xã đang bán" in html


def test_every_page_s_footer_links_here_and_anyone_may_follow(story, client):
    catalog = client.get("/products").get_data(as_text=True)
    footer = catalog.split('<footer class="site-footer">')[1]
    assert (
        '<a href="/figures" data-testid="footer-public_figures.page">Số liệu của tỉnh</a>' in footer
    )
    english = client.get("/products", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">Province figures</a>" in english.split('<footer class="site-footer">')[1]
    assert _get(client, "/figures").status_code == 200  # no sign-in asked


def test_the_provinces_columns_are_found_by_what_they_hold(story, monkeypatch):
    """A column put before the others (say, farms verified) shifts none of those the page's
    confidentiality reads: Thái Nguyên's money stays unknown, the new column stays shown."""
    import dashboard.public_figures as public

    built = tables.provinces_table

    def with_a_new_first_column(provinces):
        table = built(provinces)
        table.columns.insert(1, tables.Column("Farms verified", key="farms_verified"))
        for row in table.rows:
            row.insert(1, 7)
        return table

    monkeypatch.setattr(public.tables, "provinces_table", with_a_new_first_column)
    with freeze_time(LATER, tick=True):
        table = public.public_figures(None, date(2027, 4, 10)).provinces
    rows = {row[0]: row for row in table.rows}
    money = [table.column_of(metric) for metric in public.MONEY_METRICS]
    assert [rows["Thái Nguyên"][column] for column in money] == [None, None, None]
    assert rows["Thái Nguyên"][1] == 7
    assert rows["Thái Nguyên"][table.column_of(metrics.listing("cooperative"))] == 1
    # Those whose money is unknown come after the others (their rank would give it away).
    unknown = [row[money[2]] is None for row in table.rows]
    assert unknown == sorted(unknown) and unknown[-1]
