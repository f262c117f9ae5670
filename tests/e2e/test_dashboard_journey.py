"""The province dashboard in a browser: Hải Phòng's operator on a phone sees the province's
figures only and downloads a table; the country-wide operator on a desktop screen picks a
province, a quarter and a commune. Screenshots of both widths are saved and looked at."""

from __future__ import annotations

from playwright.sync_api import expect

from app.auth.operator_scope import record_scope
from app.auth.roles import Role
from app.auth.services import register_user
from app.extensions import db
from dashboard.refresh import refresh_figures
from tests.e2e.conftest import SCREENSHOTS, past_phone_width

PASSWORD = "mat-khau-an-toan"
DESKTOP = {"width": 1280, "height": 900}


def _prepare(app) -> None:
    with app.app_context():
        operator = register_user("Anh Trần Văn Hải", "0912000441", PASSWORD)
        operator.role = Role.OPERATOR.value
        record_scope(operator, "31", None)
        refresh_figures()
        db.session.commit()


def _log_in(page, base: str, identifier: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Số điện thoại hoặc email").fill(identifier)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Quản trị").click()
    page.get_by_test_id("admin-nav").get_by_role("link", name="Bảng số liệu của tỉnh").click()


def test_a_province_operator_reads_the_dashboard_on_a_phone(live_app, demo_shop, phone):
    app, _ = live_app
    _prepare(app)
    page = phone

    _log_in(page, demo_shop, "0912000441", PASSWORD)
    expect(page.get_by_test_id("dashboard-scope")).to_contain_text("TP. Hải Phòng")
    expect(page.get_by_test_id("dashboard-freshness")).to_contain_text("Số liệu cập nhật lúc")
    expect(page.get_by_test_id("value-households_listing")).to_have_text("2")
    expect(page.get_by_test_id("figure-households_listing")).to_contain_text(
        "Các hộ hiện có ít nhất một sản phẩm đang đăng bán"
    )
    # Only the province: no province to choose, its own communes, not Thái Nguyên's
    expect(page.locator("#filter-province")).to_have_count(0)
    page.get_by_text("Bộ lọc").click()
    expect(page.locator("#filter-commune option", has_text="xã Thanh Hà")).to_have_count(1)
    expect(page.locator("#filter-commune option", has_text="xã Tân Cương")).to_have_count(0)
    page.screenshot_as("dashboard-01-province-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, past_phone_width(page)

    with page.expect_download() as download:
        page.get_by_test_id("csv-categories").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Danh mục,Kỳ này,Kỳ trước"
    with page.expect_download() as download:
        page.get_by_test_id("xlsx-figures").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # Another province's address is not found for her
    answer = page.goto(f"{demo_shop}/admin/dashboard?province=19")
    assert answer.status == 404


def test_the_country_wide_operator_picks_a_province_and_a_quarter_on_a_desktop(
    live_app, demo_shop, browser, backend
):
    app, _ = live_app
    with app.app_context():
        refresh_figures()
        db.session.commit()
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _log_in(page, demo_shop, "admin@nongsan.demo", "nongsan-demo")
        expect(page.get_by_test_id("dashboard-scope")).to_contain_text("Cả nước")
        page.get_by_text("Bộ lọc").click()
        page.get_by_label("Tỉnh của cơ sở").select_option(label="Thái Nguyên")
        page.get_by_label("Kỳ", exact=True).select_option(label="Quý")
        page.get_by_role("button", name="Xem kết quả").click()
        expect(page.get_by_test_id("dashboard-scope")).to_contain_text("Thái Nguyên")
        expect(page.get_by_test_id("dashboard-scope")).to_contain_text("Quý")
        expect(page.get_by_test_id("value-cooperatives_listing")).to_have_text("1")
        expect(page.get_by_test_id("table-ocop")).to_contain_text("5 sao")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{backend}-dashboard-02-desktop.png"), full_page=True
        )
    finally:
        context.close()
