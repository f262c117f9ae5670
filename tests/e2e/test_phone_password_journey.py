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
