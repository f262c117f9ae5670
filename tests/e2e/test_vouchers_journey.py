"""On a 360-px phone a buyer applies the pomelo cooperative's voucher at checkout, places the
order and sees the discount and the new total on the order page."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from orders.models import Order
from tests.e2e.conftest import fill_signup, past_phone_width


def test_a_buyer_applies_a_farm_voucher_and_the_order_keeps_the_discount(
    phone, demo_shop, live_app
):
    phone.goto(f"{demo_shop}/signup")
    fill_signup(phone, "Trần Thu Giang", "0987 000 717", "ma-giam-gia-2026")
    phone.goto(f"{demo_shop}/products/buoi-thanh-hong")
    phone.get_by_label("Số lượng").fill("2")
    phone.get_by_role("button", name="Thêm vào giỏ").click()
    expect(phone.get_by_text("Đã thêm vào giỏ hàng.")).to_be_visible()
    phone.get_by_role("link", name="Tiến hành đặt hàng").click()
    phone.wait_for_load_state("load")
    phone.get_by_label("Họ và tên").fill("Trần Thu Giang")
    phone.get_by_label("Số di động").fill("0987 000 717")
    phone.get_by_label("Tỉnh hoặc thành phố").select_option(label="TP. Hà Nội")
    communes = phone.get_by_label("Xã hoặc phường")
    expect(communes.locator('option[value="00070"]')).to_be_attached()
    phone.wait_for_load_state("load")
    communes.select_option("00070")
    phone.get_by_label("Số nhà, đường, thôn/ấp").fill("12 Hàng Bạc")
    phone.get_by_label("Trả tiền khi nhận hàng").check()
    phone.get_by_role("button", name="Xem lại đơn hàng").click()
    review = phone.get_by_test_id("review")
    expect(review).to_be_visible()

    # A code that does not exist is refused beside the field, and nothing is discounted.
    phone.get_by_label("Mã giảm giá").fill("khongco")
    phone.get_by_test_id("apply-voucher").click()
    expect(phone.get_by_text("Không có mã giảm giá KHONGCO")).to_be_visible()
    expect(phone.locator("[data-testid^=review-discount-]")).to_have_count(0)

    phone.get_by_label("Mã giảm giá").fill("buoi10")  # any case
    phone.get_by_test_id("apply-voucher").click()
    discount = phone.locator("[data-testid^=review-discount-]")
    expect(discount).to_contain_text("BUOI10: −")
    assert past_phone_width(phone) == []
    phone.get_by_test_id("voucher-code").scroll_into_view_if_needed()
    phone.screenshot_as("vouchers-01-review")

    phone.get_by_role("button", name="Đặt hàng").click()
    expect(phone.get_by_text("Cảm ơn bạn! Đơn hàng đã được đặt.")).to_be_visible()
    app, _ = live_app
    with app.app_context():
        order = db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))
        subtotal, fee, cut, total = (
            order.subtotal_vnd,
            order.delivery_fee_vnd,
            order.discount_vnd,
            order.total_vnd,
        )
        number = order.number
    assert cut == subtotal * 10 // 100 or cut == 50000  # 10 %, at most 50,000 ₫
    assert total == subtotal + fee - cut
    card = phone.get_by_test_id(f"order-{number}")
    expect(card.get_by_test_id(f"order-discount-{number}")).to_contain_text("BUOI10: −")
    shown_total = card.locator(".price").inner_text().replace("\xa0", " ")
    assert shown_total == f"{total:,} ₫".replace(",", ".")
    assert past_phone_width(phone) == []
    phone.screenshot_as("vouchers-02-order")
