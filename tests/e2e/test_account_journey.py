"""A buyer signs up, logs out, logs in, and switches language, on a phone."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, fill_signup


def test_buyer_signs_up_logs_out_logs_in_and_switches_language(live_server, phone):
    page = phone
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_have_text("Nông sản tận gốc, từ chính người trồng")
    page.screenshot_as("01-home")

    page.get_by_role("link", name="Đăng ký").first.click()
    fill_signup(page, "Phạm Thu Trang", "0903 123 456", "vai-thieu-ngon", "vai-thieu-khac")
    expect(page.get_by_text("Hai mật khẩu không giống nhau.")).to_be_visible()
    page.screenshot_as("02-signup-error")

    fill_signup(page, "Phạm Thu Trang", "0903 123 456", "vai-thieu-ngon")
    expect(page.get_by_text("Chào mừng Phạm Thu Trang đến với Nông Sản Số!")).to_be_visible()
    page.screenshot_as("03-signed-up")

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()

    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Số điện thoại hoặc email").fill("+84903123456")
    page.get_by_label("Mật khẩu").fill("vai-thieu-ngon")
    page.get_by_label("Ghi nhớ đăng nhập trên thiết bị này").check()
    page.screenshot_as("04-login")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("profile-link")).to_have_text("Phạm Thu Trang")

    page.get_by_test_id("profile-link").click()
    expect(page.locator("h1")).to_have_text("Hồ sơ của bạn")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Your profile")
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot_as("05-profile-english")

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("h1")).to_have_text("Hồ sơ của bạn")
    page.screenshot_as("06-profile-vietnamese")


def test_the_layout_fits_a_360px_phone_without_sideways_scrolling(live_server, phone):
    for path in ("/", "/signup", "/login", "/password/forgot", "/khong-co"):
        phone.goto(live_server + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_every_page_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/signup")
    fill_signup(page, "Không Dùng JS", "khongjs@example.vn", "mat-khau-an-toan")
    expect(page.get_by_text("Chào mừng Không Dùng JS đến với Nông Sản Số!")).to_be_visible()
    context.close()
