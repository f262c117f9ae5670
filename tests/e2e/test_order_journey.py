"""A guest buys pomelo and tea from two farms by bank transfer; a banking app could read
each VietQR code; the pomelo cooperative confirms, packs and ships; the buyer sees it."""

import re
import subprocess

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_checkout
from tests.support.ledger import ledger_mismatches_in
from tests.support.requirements import missing
from tests.support.vietqr_reader import parse_payload, verify_crc


def _decode_qr(locator, path) -> str:
    locator.screenshot(path=str(path))
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, f"zbarimg could not read {path}"
    return result.stdout.strip()


def test_guest_buys_from_two_farms_pays_by_vietqr_and_follows_the_shipping(
    browser, demo_shop, backend, tmp_path, live_app
):
    import shutil

    if shutil.which("zbarimg") is None:
        missing("zbarimg", "install Debian's zbar-tools")
    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    for slug, quantity in (("buoi-thanh-hong", "2"), ("che-tan-cuong-dac-biet", "1")):
        page.goto(f"{demo_shop}/products/{slug}")
        page.get_by_label("Số lượng").fill(quantity)
        page.get_by_role("button", name="Thêm vào giỏ").click()
        expect(page.get_by_text("Đã thêm vào giỏ hàng.")).to_be_visible()
    expect(page.get_by_test_id("cart-farm")).to_have_count(2)
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-order-01-cart.png"), full_page=True)

    fill_checkout(
        page,
        name="Lê Minh Anh",
        phone="0987 654 321",
        province="TP. Hà Nội",
        commune="phường Hoàn Kiếm",
        street="12 Hàng Bạc",
        payment="Chuyển khoản (VietQR)",
    )
    expect(page.get_by_text("Cảm ơn bạn! Đơn hàng đã được đặt.")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-order-02-vietqr.png"), full_page=True)

    codes = page.locator("[data-testid^=vietqr-]")
    expect(codes).to_have_count(2)
    for index in range(2):
        payload = _decode_qr(codes.nth(index), tmp_path / f"qr-{index}.png")
        fields = parse_payload(payload)
        number = codes.nth(index).get_attribute("data-testid").removeprefix("vietqr-")
        assert verify_crc(payload) and fields["01"] == "12" and fields["53"] == "704"
        assert parse_payload(fields["62"])["08"] == number
        assert int(fields["54"]) > 0
    order_page = page.url

    farmer = browser.new_context(viewport=PHONE, locale="vi-VN")
    shop = farmer.new_page()
    shop.goto(f"{demo_shop}/login")
    shop.get_by_label("Số điện thoại hoặc email").fill("0912000103")
    shop.get_by_label("Mật khẩu").fill("nongsan-demo")
    shop.locator("main").get_by_role("button", name="Đăng nhập").click()
    shop.get_by_role("link", name="Gian hàng", exact=True).click()
    shop.get_by_role("link", name="HTX Bưởi Thanh Hồng").first.click()
    shop.get_by_role("link", name="Đơn hàng", exact=True).last.click()
    shop.get_by_role("button", name="Đã nhận tiền").first.click()
    expect(shop.get_by_text("Đã cập nhật đơn")).to_be_visible()
    shop.get_by_role("link", name="Cần đóng gói").click()
    shop.get_by_role("button", name="Đã đóng gói").first.click()
    shop.get_by_role("link", name="Cần giao").click()
    shop.get_by_label("Đơn vị vận chuyển", exact=True).first.select_option("ghn")
    shop.get_by_label("Mã vận đơn").first.fill("GHN8891")
    shop.get_by_role("button", name="Giao cho đơn vị vận chuyển").first.click()
    expect(shop.get_by_text("Đã cập nhật đơn")).to_be_visible()
    shop.screenshot(path=str(SCREENSHOTS / f"{backend}-order-03-farm.png"), full_page=True)
    farmer.close()

    page.goto(order_page)
    expect(page.get_by_text("Gửi qua Giao Hàng Nhanh (GHN)")).to_be_visible()
    expect(page.locator("[data-testid^=vietqr-]")).to_have_count(1)  # the pomelo is paid
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-order-04-buyer-follows.png"), full_page=True)
    guest.close()
    assert ledger_mismatches_in(live_app[0]) == []


def test_guest_pays_cash_on_delivery_and_the_farm_collects_it(
    browser, demo_shop, backend, live_app
):
    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    page.goto(f"{demo_shop}/products/che-moc-cau-tan-cuong-hop-qua")
    page.get_by_role("button", name="Thêm vào giỏ").click()
    fill_checkout(
        page,
        name="Võ Thị Thu",
        phone="0987 000 303",
        province="TP. Hồ Chí Minh",
        commune="phường Sài Gòn",
        street="45 Lê Lợi",
        payment="Trả tiền khi nhận hàng",
    )
    expect(page.get_by_text("Trả tiền mặt khi nhận hàng.")).to_be_visible()
    expect(page.locator("[data-testid^=vietqr-]")).to_have_count(0)
    number = page.locator("[data-testid^=order-]").first.get_attribute("data-testid")
    number = number.removeprefix("order-")
    order_page = page.url

    farmer = browser.new_context(viewport=PHONE, locale="vi-VN")
    shop = farmer.new_page()
    shop.goto(f"{demo_shop}/login")
    shop.get_by_label("Số điện thoại hoặc email").fill("0912000104")
    shop.get_by_label("Mật khẩu").fill("nongsan-demo")
    shop.locator("main").get_by_role("button", name="Đăng nhập").click()
    shop.get_by_role("link", name="Gian hàng", exact=True).click()
    shop.get_by_role("link", name="Đơn hàng", exact=True).last.click()
    card = shop.get_by_test_id(f"farm-order-{number}")
    card.get_by_role("button", name="Đã đóng gói").click()
    shop.get_by_role("link", name="Cần giao").click()
    card = shop.get_by_test_id(f"farm-order-{number}")
    card.get_by_label("Đơn vị vận chuyển", exact=True).select_option("viettel_post")
    card.get_by_role("button", name="Giao cho đơn vị vận chuyển").click()
    shop.get_by_role("link", name="Tất cả").click()
    card = shop.get_by_test_id(f"farm-order-{number}")
    card.get_by_role("button", name="Đã giao").click()
    card = shop.get_by_test_id(f"farm-order-{number}")
    card.get_by_role("button", name="Đã thu tiền").click()
    expect(shop.get_by_test_id(f"farm-order-{number}")).to_contain_text("đã thanh toán")
    farmer.close()

    page.goto(order_page)
    expect(page.get_by_test_id(f"order-{number}")).to_contain_text("Đã giao")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-order-05-cod-delivered.png"), full_page=True)
    guest.close()
    assert ledger_mismatches_in(live_app[0]) == []


def test_a_buyer_abroad_pays_by_card_and_only_the_webhook_marks_it_paid(
    browser, live_app, demo_shop, backend
):
    from tests.support.stripe_fake import FakeStripeHTTP

    app, _ = live_app
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_e2e",
        STRIPE_HTTP_CLIENT=FakeStripeHTTP(pay_page_base=demo_shop),
    )
    try:
        guest = browser.new_context(viewport=PHONE, locale="vi-VN")
        page = guest.new_page()
        page.goto(f"{demo_shop}/products/che-tan-cuong-dac-biet")
        page.get_by_role("button", name="Thêm vào giỏ").click()
        fill_checkout(
            page,
            name="Anna Nguyen",
            phone="0987 000 404",
            province="TP. Đà Nẵng",
            commune="phường Hải Châu",
            street="1 Bạch Đằng",
            payment="Thẻ (Stripe)",
        )
        card = page.locator("[data-testid^=order-]").first
        expect(card).to_contain_text("Chờ thanh toán")  # the redirect back alone pays nothing
        page.get_by_test_id("pay-by-card").click()
        expect(page).to_have_url(re.compile(r"/_probe/stripe-pay/cs_test_"))
        page.get_by_role("button", name=re.compile("Pay")).click()
        card = page.locator("[data-testid^=order-]").first
        expect(card).to_contain_text("Đã xác nhận")
        expect(card).to_contain_text("Thẻ (Stripe)")
        page.screenshot(path=str(SCREENSHOTS / f"{backend}-order-06-card-paid.png"), full_page=True)
        guest.close()
    finally:
        app.config.update(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="", STRIPE_HTTP_CLIENT=None)
    assert ledger_mismatches_in(app) == []
