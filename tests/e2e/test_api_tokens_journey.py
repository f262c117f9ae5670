"""A farmer makes an API token on the profile page, sees its secret once, and reads the API
documentation, on a 360-px phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, fill_signup, past_phone_width


def test_a_farmer_makes_a_token_sees_it_once_and_reads_the_docs(live_server, phone):
    page = phone
    # Given a farmer who signed up on the phone
    page.goto(live_server + "/signup")
    page.get_by_label("Bán nông sản của nhà tôi").check()
    fill_signup(page, "Lò Văn Páo", "0977 555 121", "che-shan-tuyet")
    expect(page.get_by_text("Chào mừng Lò Văn Páo")).to_be_visible()

    # When they open their profile's API tokens page
    page.goto(live_server + "/profile")
    page.get_by_test_id("api-tokens-link").click()
    expect(page.locator("h1")).to_have_text("Mã truy cập API")
    assert past_phone_width(page) == []
    page.screenshot_as("api-01-tokens-page")

    # And make a token that reads the farm's orders, for 30 days
    page.get_by_label("Tên").fill("Kế toán HTX")
    page.get_by_label(re.compile("^orders:read")).check()
    page.get_by_label("30 ngày").check()
    page.get_by_role("button", name="Tạo mã", exact=True).click()

    # Then the secret is shown, once, and it works against the API
    secret = page.get_by_test_id("token-secret").inner_text()
    assert secret.startswith("nss_")
    expect(page.get_by_text("Đây là lần duy nhất mã được hiển thị")).to_be_visible()
    assert past_phone_width(page) == []
    page.screenshot_as("api-02-secret-once")
    answer = page.request.get(
        live_server + "/api/v1/token", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200
    assert answer.json()["scopes"] == ["orders:read"]

    # (Coming back to the page, not re-sending the form, shows the list only)
    page.goto(live_server + "/profile/api-tokens")
    expect(page.get_by_test_id("new-secret")).to_have_count(0)
    assert secret not in page.content()
    expect(page.locator("li[data-testid^=token-] strong")).to_have_text("Kế toán HTX")
    page.screenshot_as("api-03-listed-without-secret")

    # And the documentation lists the operations, readable on the phone
    page.get_by_test_id("api-docs-link").click()
    expect(page.locator("h1")).to_have_text("API của Nông Sản Số")
    expect(page.get_by_test_id("operation").first).to_be_visible()
    expect(page.get_by_text("/api/v1/tokens", exact=True)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the docs scroll sideways by {overflow}px"
    page.screenshot_as("api-04-docs")


def test_the_docs_read_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/api/v1/docs")
    expect(
        page.get_by_role("heading", name="Xác thực: mã truy cập, quyền, khóa của trang trại")
    ).to_be_visible()
    expect(page.get_by_test_id("operation").first).to_be_visible()
    context.close()
