"""A farmer's webhooks on a 360-px phone: from the farm's dashboard they add an endpoint on a
local listener and copy its secret (shown once); a buyer orders; the log shows the event
delivered and the listener verifies its signature; then pause, switch on, send again and
delete (ticking the box). An operator's own endpoints at /admin/webhooks work the same way."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from app.auth.roles import Role
from app.extensions import db
from tests.app.factories import PASSWORD, make_user
from tests.app.webhook_helpers import verify
from tests.e2e.conftest import PHONE, fill_checkout, past_phone_width
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.fake_http import Answer, fake_provider

FARMER_PHONE = "0912000717"
OPERATOR_EMAIL = "webhooks-admin@example.vn"


@pytest.fixture
def listener(live_app, monkeypatch):
    """A local listener that answers 200; the live server may send to 127.0.0.1 over http
    (as under `make run`). Jobs run at once in the live server (JOBS_IMMEDIATE)."""
    app, _ = live_app
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_LOCAL", True)
    with fake_provider(Answer(200, {"ok": True}), path="/hooks/nongsan") as server:
        yield server


@pytest.fixture
def farm_with_product(live_app, demo_shop):
    """A farm that delivers everywhere, one product on sale; returns (farm id, product page).

    The demo is seeded first: it adds its orders only to a shop without any, and the
    operators' journeys need them, whichever journey runs first."""
    app, _ = live_app
    with app.app_context():
        farmer = make_user(role=Role.FARMER, identifier=FARMER_PHONE, full_name="Hà Văn Mận")
        farm = deliver_everywhere(make_farm(farmer, name="Vườn mận Bắc Hà webhook"))
        product = make_product(farm, name="Mận hậu Bắc Hà", prices=(60000,))
        db.session.commit()
        return farm.id, f"/products/{product.slug}"


def _log_in(page, url: str, identifier: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("Số điện thoại hoặc email").fill(identifier)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _fits(page) -> None:
    assert past_phone_width(page) == [], page.url
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _buyer_orders(browser, url: str, product_page: str) -> str:
    """A guest orders the product on another phone, paying on delivery; returns the number."""
    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    page.goto(url + product_page)
    page.get_by_role("button", name="Thêm vào giỏ").click()
    fill_checkout(
        page,
        name="Lục Thị Hoa",
        phone="0987000717",
        province="TP. Hà Nội",
        commune="phường Hoàn Kiếm",
        street="12 Hàng Bạc",
        payment="Trả tiền khi nhận hàng",
    )
    testid = page.locator("[data-testid^=order-NS]").first.get_attribute("data-testid")
    guest.close()
    return testid.removeprefix("order-")


def test_a_farmer_adds_a_webhook_sees_it_delivered_then_pauses_replays_and_deletes_it(
    live_app, phone, browser, listener, farm_with_product
):
    _, url = live_app
    farm_id, product_page = farm_with_product
    page = phone

    # The farmer logs in and opens the webhooks from the farm's dashboard
    _log_in(page, url, FARMER_PHONE)
    expect(page).to_have_url(f"{url}/dashboard/farms/{farm_id}")
    page.get_by_role("link", name="Webhook", exact=True).click()
    expect(page.locator("h1")).to_have_text("Webhook")
    expect(page.get_by_text("Chưa có địa chỉ nhận nào.")).to_be_visible()
    page.screenshot_as("webhook-01-no-endpoint")
    _fits(page)

    # They add the listener's address for new orders
    page.get_by_label("Địa chỉ (https://…)").fill(listener.url)
    page.get_by_label("Có đơn hàng mới").check()
    page.get_by_role("button", name="Thêm địa chỉ").click()

    # The secret shows, this once
    shown = page.get_by_test_id("webhook-secret")
    expect(shown).to_contain_text("Đã thêm địa chỉ nhận")
    secret = page.get_by_test_id("webhook-secret-value").inner_text().strip()
    assert secret.startswith("whsec_")
    expect(page.get_by_test_id("webhook-endpoints")).to_contain_text(listener.url)
    page.screenshot_as("webhook-02-secret-once")
    _fits(page)

    # ...and not again when the page is opened anew
    page.goto(page.url)
    expect(page.get_by_test_id("webhook-endpoints")).to_contain_text(listener.url)
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
    assert secret not in page.content()
    assert secret[-4:] in page.get_by_test_id("webhook-endpoints").inner_text()

    # A buyer orders from the farm
    number = _buyer_orders(browser, url, product_page)

    # The endpoint's log shows the event sent, attempt #1 answered 200
    page.get_by_role("link", name=listener.url).click()
    log = page.get_by_test_id("webhook-deliveries").locator("li")
    expect(log).to_have_count(1)
    expect(log.first.locator(".badge")).to_have_text("Đã gửi thành công")
    expect(log.first).to_contain_text("Có đơn hàng mới")
    expect(log.first).to_contain_text("#1")
    expect(log.first).to_contain_text("· 200 ·")
    page.screenshot_as("webhook-03-delivered")
    _fits(page)

    # The listener received it once, signed with the secret the farmer copied
    [received] = listener.requests
    assert received.path == "/hooks/nongsan"
    assert verify(secret, received.headers["nongsan-signature"], received.body)
    assert not verify("whsec_not-the-secret", received.headers["nongsan-signature"], received.body)
    event = json.loads(received.body)
    assert (event["type"], event["data"]["order"]["number"]) == ("order.placed", number)
    assert received.headers["nongsan-event-id"] == event["id"]
    expect(log.first).to_contain_text(event["id"])

    # Pause, then switch on again
    page.get_by_role("button", name="Tạm dừng").click()
    expect(page.get_by_text("Đã tạm dừng: các sự kiện sẽ chờ.")).to_be_visible()
    expect(page.get_by_text("Các sự kiện sẽ chờ tới khi bạn bật lại.")).to_be_visible()
    page.screenshot_as("webhook-04-paused")
    _fits(page)
    page.get_by_role("button", name="Bật lại").click()
    expect(page.get_by_text("Đã bật lại.")).to_be_visible()
    expect(page.get_by_role("button", name="Tạm dừng")).to_be_visible()

    # Send the event again: a second delivery of the same event, signed afresh
    log.first.get_by_role("button", name="Gửi lại").click()
    expect(page.get_by_text("Sự kiện đang được gửi lại.")).to_be_visible()
    expect(log).to_have_count(2)
    expect(log.locator(".badge", has_text="Đã gửi thành công")).to_have_count(2)
    assert len(listener.requests) == 2
    again = listener.requests[1]
    assert again.body == received.body
    assert again.headers["nongsan-event-id"] == event["id"]
    assert verify(secret, again.headers["nongsan-signature"], again.body)
    page.screenshot_as("webhook-05-sent-again")
    _fits(page)

    # Delete: the box must be ticked first
    delete = page.get_by_role("button", name="Xoá", exact=True)
    confirm = page.get_by_label("Xoá địa chỉ và nhật ký của nó")
    delete.click()
    assert confirm.evaluate("box => box.validity.valueMissing")
    expect(page.locator("h1")).to_have_text(listener.url)
    confirm.check()
    delete.click()
    expect(page.get_by_text("Đã xoá địa chỉ nhận.")).to_be_visible()
    expect(page.get_by_text("Chưa có địa chỉ nhận nào.")).to_be_visible()
    page.screenshot_as("webhook-06-deleted")
    _fits(page)


def test_an_operator_adds_their_own_endpoint_from_the_admin_pages(live_app, phone, listener):
    app, url = live_app
    with app.app_context():
        make_user(role=Role.OPERATOR, identifier=OPERATOR_EMAIL, full_name="Trần Thị Lan")
        db.session.commit()
    page = phone

    _log_in(page, url, OPERATOR_EMAIL)
    page.get_by_role("link", name="Quản trị", exact=True).click()
    page.get_by_test_id("admin-nav").get_by_role("link", name="Webhook").click()
    expect(page).to_have_url(url + "/admin/webhooks")
    page.get_by_label("Địa chỉ (https://…)").fill(listener.url)
    page.get_by_label("Một lô hàng bị thu hồi").check()
    page.get_by_role("button", name="Thêm địa chỉ").click()
    expect(page.get_by_test_id("webhook-secret")).to_contain_text("whsec_")
    page.screenshot_as("webhook-07-operator")
    _fits(page)

    page.get_by_role("link", name=listener.url).click()
    expect(page.get_by_text("Chưa gửi gì.")).to_be_visible()
    page.screenshot_as("webhook-08-operator-log")
    _fits(page)

    # Deleted again, so no later journey's recall is sent to this closed listener
    page.get_by_label("Xoá địa chỉ và nhật ký của nó").check()
    page.get_by_role("button", name="Xoá", exact=True).click()
    expect(page.get_by_text("Chưa có địa chỉ nhận nào.")).to_be_visible()
    assert listener.requests == []
