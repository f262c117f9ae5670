"""A province's operator on a phone: the country-wide operator makes an account the operator of
Hải Phòng; that operator sees the province's farms only, and verifies a new farm there."""

from __future__ import annotations

from playwright.sync_api import expect

from app.auth.services import register_user
from app.extensions import db
from farms.services import open_farm

PASSWORD = "mat-khau-an-toan"


def _prepare(app) -> None:
    """An account to promote, and two new farms waiting for a check: one in Hải Phòng (which
    took in Hải Dương), one in Hà Nội."""
    with app.app_context():
        register_user("Chị Nguyễn Thị Mai", "0912000331", PASSWORD)
        for phone, name, province, commune in (
            ("0912000332", "Vườn nhãn Kinh Môn", "31", "phường Kinh Môn"),
            ("0912000333", "Vườn bưởi Sóc Sơn", "01", "xã Sóc Sơn"),
        ):
            owner = register_user(f"Chủ {name}", phone, PASSWORD)
            open_farm(
                owner,
                name=name,
                kind="household",
                province_code=province,
                commune=commune,
                story="",
                contact_phone=None,
            )
        db.session.commit()


def _log_in(page, base: str, identifier: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Số điện thoại hoặc email").fill(identifier)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Quản trị").click()


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_a_province_operator_verifies_a_farm_of_their_province(live_app, demo_shop, phone):
    app, _ = live_app
    _prepare(app)
    page = phone

    # The country-wide operator makes Chị Mai the operator of Hải Phòng
    _log_in(page, demo_shop, "admin@nongsan.demo", "nongsan-demo")
    expect(page.get_by_test_id("operator-scope")).to_have_text("Phạm vi của bạn: Cả nước")
    page.get_by_test_id("admin-nav").get_by_role("link", name="Ban điều hành").click()
    form = page.get_by_test_id("promote-form")
    form.get_by_label("Số điện thoại hoặc email").fill("0912 000 331")
    form.get_by_label("Phạm vi phụ trách").select_option(label="TP. Hải Phòng")
    form.get_by_role("button", name="Cho làm quản trị viên").click()
    expect(
        page.get_by_text("Chị Nguyễn Thị Mai đã là quản trị viên (TP. Hải Phòng).")
    ).to_be_visible()
    _fits_the_phone(page)
    page.screenshot_as("operator-scope-01-promoted")
    page.get_by_role("button", name="Đăng xuất").click()

    # Chị Mai sees her province: its farms, not Hà Nội's nor Tuyên Quang's; no outbox
    _log_in(page, demo_shop, "0912000331", PASSWORD)
    expect(page.get_by_test_id("operator-scope")).to_have_text("Phạm vi của bạn: TP. Hải Phòng")
    farms = page.locator("[data-testid^=admin-farm-]")
    expect(farms.filter(has_text="Vườn nhãn Kinh Môn")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("Vườn bưởi Sóc Sơn")
    expect(page.locator("main")).not_to_contain_text("Hà Giang")
    expect(page.get_by_test_id("admin-nav")).not_to_contain_text("Hộp thư đi")
    _fits_the_phone(page)
    page.screenshot_as("operator-scope-02-province-farms")

    # She verifies the new farm of her province
    entry = farms.filter(has_text="Vườn nhãn Kinh Môn")
    entry.get_by_role("button", name="Xác minh nông trại").click()
    expect(page.get_by_text("Đã xác minh nông trại.")).to_be_visible()
    entry = page.locator("[data-testid^=admin-farm-]").filter(has_text="Vườn nhãn Kinh Môn")
    expect(entry.locator(".badge-verified")).to_contain_text("Chị Nguyễn Thị Mai")
    _fits_the_phone(page)
    page.screenshot_as("operator-scope-03-farm-verified")

    # Her orders page holds Hải Phòng's farms only
    page.get_by_test_id("admin-nav").get_by_role("link", name="Đơn hàng").click()
    expect(page.get_by_test_id("operator-scope")).to_contain_text("TP. Hải Phòng")
    expect(page.locator("main")).not_to_contain_text("Hà Giang")
    _fits_the_phone(page)
    page.screenshot_as("operator-scope-04-province-orders")
