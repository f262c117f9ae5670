"""Where is my box, on a 360-px phone: the guest sees the delivery fee and days for the
province chosen; the farm packs and ships choosing GHTK with a tracking number; the buyer's
order page links the number to GHTK's tracking page; a guest finds an order by phone and
number."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.messaging import OutboundMessage
from orders.models import Checkout, Order
from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_checkout, pack_and_ship
from tests.support.ledger import ledger_mismatches_in

YEAR_ROUND_TEA = "che-tan-cuong-dac-biet"
TEA_COOPERATIVE_MANAGER = "0912000104"


def test_the_farm_ships_with_ghtk_and_the_buyer_follows_the_tracking_link(
    browser, demo_shop, backend, live_app
):
    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    page.goto(f"{demo_shop}/products/{YEAR_ROUND_TEA}")
    outlook = page.get_by_test_id("delivery-outlook")
    outlook.get_by_label("Giao đến").select_option(label="TP. Hà Nội")
    outlook.get_by_role("button", name="Xem phí giao hàng").click()
    expect(page.get_by_test_id("outlook-days")).to_contain_text("ngày")
    page.get_by_test_id("delivery-outlook").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-delivery-01-product.png"), full_page=True)

    page.get_by_role("button", name="Thêm vào giỏ").click()
    # The province chosen on the product page is the cart's too
    expect(page.get_by_test_id("cart-days")).to_contain_text("ngày")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-delivery-02-cart.png"), full_page=True)
    fill_checkout(
        page,
        name="Phan Thị Mai",
        phone="0987 111 222",
        province="TP. Hà Nội",
        commune="phường Ba Đình",
        street="8 Phan Đình Phùng",
        payment="Trả tiền khi nhận hàng",
    )
    number = page.locator("[data-testid^=order-NS]").first.get_attribute("data-testid")
    number = number.removeprefix("order-")
    order_page = page.url

    farmer = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    shop = farmer.new_page()
    shop.goto(f"{demo_shop}/login")
    shop.get_by_label("Số điện thoại hoặc email").fill(TEA_COOPERATIVE_MANAGER)
    shop.get_by_label("Mật khẩu").fill("nongsan-demo")
    shop.locator("main").get_by_role("button", name="Đăng nhập").click()
    shop.get_by_role("link", name="Gian hàng", exact=True).click()
    shop.get_by_role("link", name="Đơn hàng", exact=True).last.click()
    pack_and_ship(
        shop,
        number,
        carrier="Giao Hàng Tiết Kiệm (GHTK)",
        tracking=" S22.BO.123 ",
        screenshot=SCREENSHOTS / f"{backend}-delivery-03-ship.png",
    )
    farmer.close()

    page.goto(order_page)
    link = page.get_by_test_id(f"order-{number}").get_by_test_id("tracking-link")
    expect(link).to_have_attribute("href", "https://i.ghtk.vn/S22.BO.123")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")
    expect(link).to_have_text("S22.BO.123")
    expect(page.get_by_test_id(f"order-{number}")).to_contain_text("Giao Hàng Tiết Kiệm (GHTK)")
    link.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-delivery-04-tracking.png"), full_page=True)
    guest.close()
    assert ledger_mismatches_in(live_app[0]) == []


def test_a_guest_finds_an_order_by_phone_and_number(browser, live_app, demo_shop, backend):
    app, _ = live_app
    with app.app_context():
        # A demo order placed by a buyer with the phone 0987 000 202
        number, token = db.session.execute(
            select(Order.number, Checkout.access_token)
            .join(Checkout, Order.checkout_id == Checkout.id)
            .where(Checkout.contact_phone == "+84987000202")
            .order_by(Order.id)
            .limit(1)
        ).one()

    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    page.goto(demo_shop)
    page.get_by_test_id("footer-find-order").click()
    page.get_by_label("Số di động đã ghi khi đặt hàng").fill("0987 000 202")
    page.get_by_label("Mã đơn hàng").fill("NS999999")
    page.get_by_role("button", name="Tìm đơn hàng").click()
    expect(page.get_by_role("alert")).to_contain_text("Không có đơn hàng nào khớp")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-delivery-05-find-miss.png"), full_page=True)

    page.get_by_label("Mã đơn hàng").fill(number.lower())
    page.get_by_role("button", name="Tìm đơn hàng").click()

    # The order shows read-only; its link (to pay, cancel, see the address) goes to the phone
    expect(page.get_by_test_id(f"found-{number}")).to_be_visible()
    assert token not in page.content()
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-delivery-06-found.png"), full_page=True)
    page.get_by_role("button", name="Gửi đường dẫn cho tôi").click()
    expect(page.get_by_text("Chúng tôi đã gửi đường dẫn của đơn này")).to_be_visible()
    with app.app_context():
        sent = db.session.scalars(
            select(OutboundMessage.body).where(OutboundMessage.kind == "order_link")
        ).all()
    link = next(body for body in sent if token in body).split(": ")[-1].strip()
    page.goto(link.replace("https://nongsan.test", demo_shop))
    expect(page.get_by_test_id(f"order-{number}")).to_be_visible()
    guest.close()
    assert ledger_mismatches_in(app) == []
