"""A farmer who signed up with a phone number only forgets the password and chooses a new
one with a code sent by Zalo (read here from the outbox), on a phone."""

import json
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth import services
from app.auth.roles import Role
from app.extensions import db
from app.messaging import OutboundMessage

PHONE = "0905 111 222"
NEW_PASSWORD = "vai-chin-som-2026"


def _phone_only_farmer(app) -> None:
    with app.app_context():
        services.register_user("Trần Văn Hải", PHONE, "mat-khau-cu-da-quen", role=Role.FARMER)
        db.session.commit()


def _code_from_outbox(app) -> str:
    with app.app_context():
        message = db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.recipient == "+84905111222")
            .where(OutboundMessage.kind == "password_code")
            .order_by(OutboundMessage.id.desc())
        ).first()
        assert message.channel == "zalo" and message.status == "sent"
        code = json.loads(message.params_json)["otp"]
        assert code in message.body and "Không chia sẻ mã này" in message.body
        return code


def test_a_phone_only_farmer_resets_the_password_with_a_code(live_app, phone):
    app, live_server = live_app
    _phone_only_farmer(app)
    page = phone

    page.goto(live_server + "/login")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.get_by_label("Số điện thoại hoặc email").fill(PHONE)
    expect(page.get_by_label("Zalo")).to_be_checked()
    page.screenshot_as("phone-reset-01-forgot")
    page.get_by_role("button", name="Gửi", exact=True).click()

    expect(page.get_by_text("chúng tôi đã gửi mã qua Zalo")).to_be_visible()
    page.screenshot_as("phone-reset-02-code-page")
    code = _code_from_outbox(app)
    page.get_by_label("Mã xác nhận").fill(f"{(int(code) + 1) % 10**6:06d}")  # a wrong one first
    page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_text("Mã này không đúng.")).to_be_visible()
    page.screenshot_as("phone-reset-03-wrong-code")

    page.get_by_label("Mã xác nhận").fill(code)
    page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_text("Đã đổi mật khẩu. Bạn có thể đăng nhập ngay.")).to_be_visible()
    page.screenshot_as("phone-reset-04-changed")

    page.get_by_label("Số điện thoại hoặc email").fill(PHONE)
    page.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("profile-link")).to_have_text("Trần Văn Hải")
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.screenshot_as("phone-reset-05-logged-in")

    # The code proved the number: the profile shows it confirmed.
    page.get_by_test_id("profile-link").click()
    expect(page.get_by_test_id("confirm-phone")).to_contain_text("đã xác nhận")
    page.get_by_test_id("confirm-phone").scroll_into_view_if_needed()
    page.screenshot_as("phone-reset-06-profile")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def _guest_order_then_account(app) -> str:
    """An order placed without an account with 0905 333 444, then an account with it."""
    from tests.farms.factories import make_farm
    from tests.orders.factories import deliver_everywhere, hanoi_contact, place_one
    from tests.products.factories import make_product

    with app.app_context():
        farm = deliver_everywhere(make_farm(name="Vườn bưởi Diễn"))
        variant = make_product(farm, name="Bưởi Diễn", prices=(90000,)).variants[0]
        checkout = place_one(variant, contact=hanoi_contact(phone="0905 333 444"))
        services.register_user("Đỗ Thị Hoa", "0905 333 444", "buoi-dien-ngot")
        db.session.commit()
        return checkout.orders[0].number


def test_a_buyer_confirms_her_number_and_finds_her_guest_order(live_app, phone):
    app, live_server = live_app
    number = _guest_order_then_account(app)
    page = phone
    page.goto(live_server + "/login")
    page.get_by_label("Số điện thoại hoặc email").fill("0905 333 444")
    page.get_by_label("Mật khẩu").fill("buoi-dien-ngot")
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(live_server + "/profile")
    page.get_by_test_id("confirm-phone").get_by_role("link", name="Xác nhận bằng mã").click()
    page.get_by_label("SMS (tin nhắn)").check()
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    expect(page.get_by_text("Chúng tôi đã gửi mã cho bạn.")).to_be_visible()
    expect(page.get_by_label("SMS (tin nhắn)")).to_be_checked()  # kept for "send again"
    page.screenshot_as("confirm-phone-01-code-sent")
    with app.app_context():
        message = db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.recipient == "+84905333444")
            .order_by(OutboundMessage.id.desc())
        ).first()
        assert (message.channel, message.kind) == ("sms", "phone_code")
        code = re.search(r"\b(\d{6})\b", message.body).group(1)
    page.get_by_label("Mã xác nhận").fill(code)
    page.get_by_role("button", name="Xác nhận", exact=True).click()

    expect(page.get_by_text("Số điện thoại của bạn đã được xác nhận.")).to_be_visible()
    expect(page.get_by_text("1 đơn bạn đã đặt khi chưa đăng nhập")).to_be_visible()
    page.screenshot_as("confirm-phone-02-confirmed")
    page.goto(live_server + "/orders")
    expect(page.get_by_text(number)).to_be_visible()
