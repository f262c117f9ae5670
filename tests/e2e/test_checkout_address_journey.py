"""On a 360-px phone a buyer picks the province in the cart, finds the ward in that
province's official list at checkout, and the page moves to the review."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_signup


def _pomelo_in_cart(page, shop: str) -> None:
    page.goto(f"{shop}/products/buoi-thanh-hong")
    page.get_by_role("button", name="Thêm vào giỏ").click()
    expect(page.get_by_text("Đã thêm vào giỏ hàng.")).to_be_visible()


def test_a_buyer_picks_province_and_ward_and_lands_on_the_review(browser, demo_shop, backend):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = context.new_page()
    _pomelo_in_cart(page, demo_shop)
    page.get_by_label("Giao đến").select_option(label="TP. Hải Phòng")
    page.get_by_role("button", name="Tính lại phí").click()

    page.get_by_role("link", name="Tiến hành đặt hàng").click()

    province = page.get_by_label("Tỉnh hoặc thành phố")
    expect(province).to_have_value("31")  # carried from the cart
    page.get_by_label("Họ và tên").fill("Phạm Thu Hà")
    page.get_by_label("Số di động").fill("0987 000 505")
    page.get_by_label("Gõ để tìm trong danh sách").fill("thanh ha")  # no accents needed
    expect(page.get_by_label("Xã hoặc phường")).to_have_value("10813")  # Xã Thanh Hà
    page.get_by_label("Số nhà, đường, thôn/ấp").fill("Thôn Thúy Lâm")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-address-01-checkout.png"), full_page=True)

    page.get_by_role("button", name="Xem lại đơn hàng").click()

    expect(page).to_have_url(re.compile(r"/checkout#review$"))
    review = page.get_by_test_id("review")
    expect(review).to_be_in_viewport()
    expect(review).to_contain_text("Bưởi Thanh Hồng")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-address-02-review.png"))
    context.close()


def test_without_javascript_a_new_province_lists_its_wards(browser, demo_shop, backend):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    _pomelo_in_cart(page, demo_shop)
    page.goto(f"{demo_shop}/checkout")
    commune = page.get_by_label("Xã hoặc phường")
    expect(commune.locator("option")).to_have_count(1)  # "choose the province first"

    page.get_by_label("Tỉnh hoặc thành phố").select_option(label="TP. Hà Nội")
    page.get_by_role("button", name="Xem các xã, phường của tỉnh này").click()

    expect(commune.locator("option", has_text="Phường Hoàn Kiếm")).to_have_count(1)
    commune.select_option(label="Phường Hoàn Kiếm")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-address-03-no-script.png"), full_page=True)
    context.close()


def test_a_buyer_saves_a_ward_in_the_profile_and_checkout_starts_from_it(
    phone, demo_shop, live_server
):
    phone.goto(f"{live_server}/signup")
    fill_signup(phone, "Đỗ Minh Khoa", "0987 000 606", "dia-chi-moi-2026")
    phone.goto(f"{live_server}/profile")
    phone.get_by_label("Số di động người nhận").fill("0987 000 606")
    phone.get_by_label("Tỉnh hoặc thành phố").select_option(label="Thái Nguyên")
    phone.get_by_label("Xã hoặc phường").select_option(label="Xã Tân Cương")
    phone.get_by_label("Số nhà, đường, thôn/ấp").fill("Xóm Hồng Thái 2")
    phone.screenshot_as("address-04-profile")
    phone.get_by_role("button", name="Lưu địa chỉ").click()
    expect(phone.get_by_text("Xóm Hồng Thái 2, Xã Tân Cương, Thái Nguyên")).to_be_visible()

    _pomelo_in_cart(phone, demo_shop)
    phone.get_by_role("link", name="Tiến hành đặt hàng").click()

    expect(phone.get_by_label("Tỉnh hoặc thành phố")).to_have_value("19")
    expect(phone.get_by_label("Xã hoặc phường")).to_have_value("05503")
