"""Weighed goods on a phone: a buyer orders two pomelos sold by weight (about 1.2 kg each at
45,000 ₫/kg), the cooperative weighs them at packing, and the buyer sees the final total."""

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_checkout, past_phone_width
from tests.support.ledger import ledger_mismatches_in


def test_a_pomelo_is_packed_at_its_actual_weight_and_the_buyer_sees_the_final_total(
    browser, demo_shop, backend, live_app
):
    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    page.goto(f"{demo_shop}/products/buoi-thanh-hong")
    expect(page.get_by_test_id("weighed-price").first).to_contain_text(
        "≈ 1,2 kg/quả · 45.000 ₫/kg, tính tiền theo khối lượng thực tế"
    )
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-weighed-00-product.png"), full_page=True)
    page.get_by_role("radio", name="54.000").check()
    page.get_by_label("Số lượng").fill("2")
    page.get_by_role("button", name="Thêm vào giỏ").click()
    expect(page.get_by_text("Đã thêm vào giỏ hàng.")).to_be_visible()
    fill_checkout(
        page,
        name="Trần Thị Hoa",
        phone="0987 000 808",
        province="TP. Hà Nội",
        commune="phường Hoàn Kiếm",
        street="8 Hàng Bè",
        payment="Trả tiền khi nhận hàng",
    )
    expect(page.get_by_test_id("weights-pending")).to_be_visible()
    number = page.locator("[data-testid^=order-]").first.get_attribute("data-testid")
    number = number.removeprefix("order-")
    order_page = page.url

    farmer = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    shop = farmer.new_page()
    shop.goto(f"{demo_shop}/login")
    shop.get_by_label("Số điện thoại hoặc email").fill("0912000103")
    shop.get_by_label("Mật khẩu").fill("nongsan-demo")
    shop.locator("main").get_by_role("button", name="Đăng nhập").click()
    shop.get_by_role("link", name="Gian hàng", exact=True).click()
    shop.get_by_role("link", name="HTX Bưởi Thanh Hồng").first.click()
    shop.get_by_role("link", name="Đơn hàng", exact=True).last.click()
    shop.get_by_role("link", name="Cần đóng gói").click()
    card = shop.get_by_test_id(f"farm-order-{number}")
    form = card.get_by_test_id(f"weigh-form-{number}")
    # The weight is asked for before anything is sent (the server refuses it too).
    form.get_by_role("button", name="Ghi khối lượng và đóng gói").click()
    expect(card.get_by_text("Cân trước khi đóng gói")).to_be_visible()
    form.get_by_placeholder("số gam thực tế").fill("2300")
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(SCREENSHOTS / f"{backend}-weighed-01-packing-form.png"))
    assert past_phone_width(shop) == []
    form.get_by_role("button", name="Ghi khối lượng và đóng gói").click()
    expect(shop.get_by_text("Đã cập nhật đơn")).to_be_visible()
    shop.get_by_role("link", name="Cần giao").click()
    packed = shop.get_by_test_id(f"farm-order-{number}")
    expect(packed.get_by_test_id("final-total")).to_have_text("118.500 ₫")
    farmer.close()

    page.goto(order_page)
    weights = page.get_by_test_id(f"weights-{number}")
    expect(weights).to_contain_text("đặt khoảng 2.400 g, đóng gói 2.300 g")
    expect(weights.get_by_test_id("weight-adjustment")).to_have_text("-4.500 ₫")
    expect(weights.get_by_test_id("final-total")).to_have_text("118.500 ₫")
    expect(weights.get_by_test_id("weight-difference")).to_have_text(
        "Trả 118.500 ₫ tiền mặt khi nhận hàng."
    )
    assert past_phone_width(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-weighed-02-buyer-order.png"), full_page=True)
    guest.close()
    assert ledger_mismatches_in(live_app[0]) == []
