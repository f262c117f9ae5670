"""The public figures page in a browser, signed out: on a phone a visitor follows the
footer's link from the home page, reads the whole country's headline figures and their
definitions, picks Hải Phòng and sees its own; on a desktop screen the map and the provinces
side by side. Screenshots of both widths are saved and looked at."""

from __future__ import annotations

from playwright.sync_api import expect

from app.clock import local_today
from app.extensions import db
from dashboard.public_figures import public_figures
from dashboard.refresh import refresh_figures
from tests.e2e.chart_checks import chart_tables_cut_off
from tests.e2e.conftest import SCREENSHOTS, past_phone_width

DESKTOP = {"width": 1280, "height": 900}


def _refresh(app) -> None:
    with app.app_context():
        refresh_figures()
        db.session.commit()


def _households_this_year(app, province: str | None) -> str:
    """What the page must show: the live shop's database is shared by every browser journey
    (others add farms), so the count is read from it, as the page's own service reads it."""
    with app.app_context():
        figures = public_figures(province, local_today())
        return str(int(figures.year.figures["households_listing"].current))


def test_a_visitor_reads_a_provinces_figures_on_a_phone(live_app, demo_shop, phone, backend):
    app, _ = live_app
    _refresh(app)
    page = phone
    # From any page (here the home page), signed out: the footer's link.
    page.goto(demo_shop)
    page.locator("footer").get_by_role("link", name="Số liệu của tỉnh").click()
    expect(page).to_have_url(f"{demo_shop}/figures")
    expect(page.get_by_role("heading", name="Số liệu các tỉnh")).to_be_visible()
    expect(page.get_by_test_id("public-freshness")).to_contain_text("Số liệu cập nhật lúc")
    expect(page.get_by_test_id("public-scope")).to_have_text("Cả nước")
    # The demo's three households at least (other journeys may have added farms).
    country = _households_this_year(app, None)
    assert int(country) >= 3
    expect(page.get_by_test_id("year-households_listing")).to_have_text(country)
    # Every definition is true of this page: none sends her to a table it does not have.
    expect(page.get_by_test_id("public-headline").locator("dd.hint")).to_have_count(9)
    expect(page.get_by_test_id("public-headline")).not_to_contain_text("bảng")
    expect(page.get_by_test_id("public-confidentiality")).to_be_visible()
    page.screenshot_as("public-figures-01-country-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, past_phone_width(page)

    page.get_by_label("Tỉnh của cơ sở").select_option(label="TP. Hải Phòng")
    page.get_by_test_id("province-picker").get_by_role("button").click()
    expect(page.get_by_test_id("public-scope")).to_have_text("TP. Hải Phòng")
    hai_phong = _households_this_year(app, "31")
    assert int(hai_phong) >= 2
    expect(page.get_by_test_id("year-households_listing")).to_have_text(hai_phong)
    expect(
        page.get_by_test_id("public-open-data").get_by_role("link", name="CSV")
    ).to_have_attribute("href", "/open-data/figures.csv?province=31")
    page.get_by_test_id("public-provinces").scroll_into_view_if_needed()
    page.screenshot_as("public-figures-02-province-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, past_phone_width(page)
    # The map by revenue: its legend and the tables of the map and the bars, on the phone.
    page.get_by_test_id("map-revenue").click()
    expect(page.get_by_test_id("map-choice").locator("strong")).to_have_text("doanh thu")
    assert chart_tables_cut_off(page) == []
    legend = page.locator("#public-map svg text").all_text_contents()
    assert "Ẩn: < 3 nơi bán" in legend and not any("trở lên" in text for text in legend)
    page.locator("#public-map").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-public-figures-04-revenue-map-phone.png"))


def test_a_visitor_sees_the_map_and_the_provinces_on_a_desktop(
    live_app, demo_shop, browser, backend
):
    app, _ = live_app
    _refresh(app)
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{demo_shop}/figures")
        expect(page.locator("svg path.province")).to_have_count(34)
        page.get_by_test_id("map-revenue").click()
        expect(page.get_by_test_id("map-choice").locator("strong")).to_have_text("doanh thu")
        expect(page.locator("figure.chart")).to_have_count(2)
        assert chart_tables_cut_off(page) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{backend}-public-figures-03-desktop.png"), full_page=True
        )
    finally:
        context.close()
