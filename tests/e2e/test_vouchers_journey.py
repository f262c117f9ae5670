"""On a 360-px phone a buyer applies the pomelo cooperative's voucher at checkout, places the
order and sees the discount and the new total on the order page."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from orders.models import Order
from tests.e2e.conftest import fill_signup, past_phone_width
from tests.support.ledger import ledger_mismatches_in


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
    assert ledger_mismatches_in(app) == []


def test_the_cooperative_creates_a_voucher_on_its_vouchers_page(phone, demo_shop, live_app):
    from demo.seed import DEMO_PASSWORD
    from farms.models import Farm

    app, _ = live_app
    with app.app_context():
        farm_id = db.session.scalar(select(Farm.id).where(Farm.slug == "htx-buoi-thanh-hong"))
    phone.goto(f"{demo_shop}/login")
    phone.get_by_label("Số điện thoại hoặc email").fill("0912000103")
    phone.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    phone.locator("main").get_by_role("button", name="Đăng nhập").click()
    phone.goto(f"{demo_shop}/dashboard/farms/{farm_id}")
    phone.get_by_test_id("farm-vouchers-link").click()
    expect(phone.get_by_test_id("voucher-BUOI10")).to_be_visible()  # the demo's own

    phone.get_by_label("Mã người mua nhập").fill("tet2027")
    phone.get_by_label("Giảm giá", exact=True).select_option("fixed")
    phone.get_by_label("Phần trăm (1–100) hoặc số đồng được giảm").fill("20.000")
    phone.get_by_label("Giá trị tối thiểu").fill("200.000")
    today = local_today()
    phone.get_by_label("Ngày bắt đầu").fill(today.isoformat())
    phone.get_by_label("Ngày kết thúc").fill((today + timedelta(days=60)).isoformat())
    phone.get_by_label("Số lượt dùng").fill("20")
    phone.get_by_role("button", name="Tạo mã giảm giá").click()

    expect(phone.get_by_text("Đã tạo mã giảm giá TET2027.")).to_be_visible()
    row = phone.get_by_test_id("voucher-TET2027")
    expect(row).to_contain_text("Giảm 20.000")
    expect(row.get_by_test_id("voucher-uses")).to_have_text("Đã dùng 0/20")
    assert past_phone_width(phone) == []
    phone.screenshot_as("vouchers-03-farm-page")
