"""An operator on a phone: a certificate's scan on the verification page, the outbox with a
failed message tried again, and the orders across farms with the payments to review."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.images import process_document_upload
from app.messaging.models import OutboundMessage
from farms.models import Certification
from orders.models import Order


def _scan_of_a_certificate() -> bytes:
    image = Image.new("RGB", (900, 620), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 880, 600), outline=(30, 110, 60), width=8)
    draw.text((80, 80), "GIAY CHUNG NHAN VIETGAP  VietGAP-TT-08-0990", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _prepare(app) -> tuple[int, str]:
    """The demo's pending certificate gets a photographed scan; an SMS has failed for good
    and a one-time code went through a real provider; one order's transfer needs review."""
    with app.app_context():
        pending = db.session.scalar(
            select(Certification).where(Certification.verified_at.is_(None))
        )
        stored = process_document_upload(
            _scan_of_a_certificate(), kind="certificates", filename="vietgap.png"
        )
        pending.scan_key, pending.scan_content_type = stored.key, stored.content_type
        failed = OutboundMessage(
            channel="sms",
            recipient="+84912000105",
            kind="order_placed",
            body="Nong San So: don NS000042 moi, 2 hop cam. Xem tai nongsan.vn/dashboard",
            status="failed",
            attempts=5,
            provider="esms",
            last_error="eSMS: CodeResult 99 (brandname chưa được duyệt)",
        )
        secret = OutboundMessage(
            channel="zalo",
            recipient="+84912000101",
            kind="password_code",
            body="Ma dat lai mat khau: 731904",
            status="sent",
            attempts=1,
            provider="zalo-zns",
        )
        db.session.add_all([failed, secret])
        order = db.session.scalar(
            select(Order).where(Order.status == "awaiting_payment").order_by(Order.id)
        )
        order.payment_status = "needs_review"
        db.session.commit()
        return failed.id, order.number


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_an_operator_checks_a_scan_retries_a_message_and_reviews_a_payment(
    live_app, demo_shop, phone
):
    app, _ = live_app
    failed_id, review_number = _prepare(app)
    page = phone

    # The operator logs in and opens the admin pages from the header
    page.goto(f"{demo_shop}/login")
    page.get_by_label("Số điện thoại hoặc email").fill("admin@nongsan.demo")
    page.get_by_label("Mật khẩu").fill("nongsan-demo")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Quản trị").click()

    # The certificate waiting for a check shows its scan
    scan = page.get_by_role("img", name="Bản chụp chứng nhận VietGAP-TT-08-0990")
    expect(scan).to_be_visible()
    # The photo loads (lazily): the operator's browser may fetch the private scan
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=scan.element_handle())
    _fits_the_phone(page)
    page.screenshot_as("operator-01-certificate-scan")

    # The navigation says a message failed; the outbox shows it and the count links to it
    expect(page.get_by_test_id("outbox-failed-count")).to_have_text("1 thất bại")
    page.get_by_test_id("admin-nav").get_by_role("link", name="Hộp thư đi").click()
    expect(page.get_by_test_id(f"outbox-message-{failed_id}")).to_contain_text("CodeResult 99")
    _fits_the_phone(page)
    page.screenshot_as("operator-02-outbox")
    page.get_by_test_id("outbox-attention").get_by_role("link", name="1 thất bại").click()
    expect(page.get_by_test_id("outbox-total")).to_have_text("1 tin nhắn")

    # The secret code sent through Zalo is hidden from the operator
    page.get_by_label("Loại tin").select_option("password_code")
    page.get_by_label("Trạng thái").select_option("")
    page.get_by_role("button", name="Lọc").click()
    page.get_by_role("link", name="password_code").first.click()
    expect(page.get_by_test_id("outbox-body-masked")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("731904")
    _fits_the_phone(page)

    # "Try again" on the failed SMS: it goes (the SMS provider here is the outbox)
    page.goto(f"{demo_shop}/admin/outbox/{failed_id}")
    page.get_by_role("button", name="Thử lại").click()
    expect(page.get_by_text(f"Tin {failed_id} đang được gửi lại.")).to_be_visible()
    expect(page.get_by_test_id("outbox-status")).to_have_text("Đã gửi")
    expect(page.get_by_test_id("outbox-failed-count")).to_have_count(0)
    _fits_the_phone(page)
    page.screenshot_as("operator-03-message-sent-again")

    # The orders across farms, then the payments waiting for review
    page.get_by_test_id("admin-nav").get_by_role("link", name="Đơn hàng").click()
    expect(page.get_by_test_id("totals-orders")).not_to_have_text("0")
    _fits_the_phone(page)
    page.screenshot_as("operator-04-orders")
    page.get_by_test_id("payments-to-review").click()
    # Every payment waiting for review in the shared journey database (other journeys may
    # have left one), this one among them
    with app.app_context():
        waiting = db.session.scalar(
            select(func.count()).select_from(Order).where(Order.payment_status == "needs_review")
        )
    expect(page.get_by_test_id("totals-orders")).to_have_text(str(waiting))
    expect(page.get_by_test_id(f"review-{review_number}")).to_be_visible()
    _fits_the_phone(page)
    page.screenshot_as("operator-05-payments-to-review")
    page.get_by_test_id(f"review-{review_number}").click()
    expect(page.get_by_test_id(f"farm-order-{review_number}")).to_be_visible()
