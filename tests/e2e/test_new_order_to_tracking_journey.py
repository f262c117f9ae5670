"""Issue 12's day, end to end on a 360-px phone: a guest orders from a phone-only farmer; the
new-order message waits in the outbox by Zalo and SMS; the farmer logs in, lands on the farm's
dashboard, opens the farm's orders from the header, packs and ships with GHTK; the buyer is
told by Zalo with the tracking link, and the order page links the number to GHTK's page."""

import json

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.messaging import OutboundMessage
from tests.app.factories import PASSWORD, make_user
from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_checkout, pack_and_ship
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.ledger import ledger_mismatches_in

FARMER_PHONE = "0912000929"
BUYER_PHONE = "0987000929"


def _farm(app) -> str:
    with app.app_context():
        farmer = make_user(role=Role.FARMER, identifier=FARMER_PHONE, full_name="Vi Văn Bưởi")
        farm = deliver_everywhere(make_farm(farmer, name="Vườn bưởi Thanh Hồng nhắn tin"))
        product = make_product(farm, name="Bưởi Thanh Hồng quả to", prices=(85000,))
        db.session.commit()
        return f"/products/{product.slug}"


def _outbox(app, recipient: str) -> list[OutboundMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.recipient == recipient)
            .order_by(OutboundMessage.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_a_new_order_reaches_the_farmer_and_the_box_can_be_followed(browser, live_app, backend):
    app, url = live_app
    product_page = _farm(app)

    # A guest orders, paying on delivery
    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    page.goto(url + product_page)
    page.get_by_role("button", name="Thêm vào giỏ").click()
    fill_checkout(
        page,
        name="Đỗ Thị Hoa",
        phone=BUYER_PHONE,
        province="TP. Hà Nội",
        commune="phường Hoàn Kiếm",
        street="3 Hàng Đào",
        payment="Trả tiền khi nhận hàng",
    )
    number = page.locator("[data-testid^=order-NS]").first.get_attribute("data-testid")
    number = number.removeprefix("order-")
    order_page = page.url

    # The phone-only farmer's new-order message is in the outbox (Zalo, the default)
    [new_order] = [m for m in _outbox(app, "+84912000929") if m.kind == "farm_new_order"]
    assert (new_order.channel, new_order.status) == ("zalo", "sent")
    assert number in new_order.body

    # The farmer logs in on the phone and lands on the farm's dashboard, with a badge
    farmer = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    shop = farmer.new_page()
    shop.goto(f"{url}/login")
    shop.get_by_label("Số điện thoại hoặc email").fill(FARMER_PHONE)
    shop.get_by_label("Mật khẩu").fill(PASSWORD)
    shop.locator("main").get_by_role("button", name="Đăng nhập").click()
    shop.wait_for_load_state()
    assert shop.url.startswith(f"{url}/dashboard/farms/")
    shop.screenshot(path=str(SCREENSHOTS / f"{backend}-day-01-dashboard.png"), full_page=True)

    # opens the farm's orders from the header, packs and ships with GHTK
    shop.locator("header").get_by_role("link", name="Đơn hàng").click()
    expect(shop.get_by_test_id(f"farm-order-{number}")).to_be_visible()
    pack_and_ship(
        shop,
        number,
        carrier="Giao Hàng Tiết Kiệm (GHTK)",
        tracking="S1.A2.929",
        screenshot=SCREENSHOTS / f"{backend}-day-02-ship.png",
    )
    farmer.close()

    # The buyer is told by Zalo, with GHTK's tracking link among the template's values
    [shipped] = [m for m in _outbox(app, "+84987000929") if m.kind == "order_shipped"]
    assert shipped.channel == "zalo" and "S1.A2.929" in shipped.body
    assert json.loads(shipped.params_json)["tracking_link"] == "https://i.ghtk.vn/S1.A2.929"

    # and the order page links the number to GHTK's tracking page
    page.goto(order_page)
    link = page.get_by_test_id(f"order-{number}").get_by_test_id("tracking-link")
    expect(link).to_have_attribute("href", "https://i.ghtk.vn/S1.A2.929")
    link.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-day-03-tracking.png"), full_page=True)
    guest.close()
    assert ledger_mismatches_in(app) == []
