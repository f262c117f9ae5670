"""A phone-only lychee farmer chooses Zalo and SMS in the profile on the phone; a guest
orders from the farm, and the new-order message waits in the outbox for both channels (and
by mail for the farm's other member, who has an e-mail address)."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from app.messaging import OutboundMessage
from farms.models import FarmMember, MemberRole
from tests.app.factories import PASSWORD, make_user
from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_checkout
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.ledger import ledger_mismatches_in

FARMER_PHONE = "0912000919"
MEMBER_MAIL = "quan.ly@vailucngan.vn"


def _phone_only_farm(app) -> str:
    """A farm whose owner has a phone and no e-mail, and whose manager has an e-mail only;
    its product's page."""
    with app.app_context():
        farmer = make_user(role=Role.FARMER, identifier=FARMER_PHONE, full_name="Trần Văn Vải")
        farm = deliver_everywhere(make_farm(farmer, name="Vườn vải Lục Ngạn nhắn tin"))
        manager = make_user(role=Role.FARMER, identifier=MEMBER_MAIL, full_name="Lò Thị Quản")
        farm.members.append(FarmMember(user=manager, role=MemberRole.MANAGER.value))
        product = make_product(farm, name="Vải thiều Lục Ngạn loại một", prices=(150000,))
        db.session.commit()
        return f"/products/{product.slug}"


def _messages_to(app, recipient: str) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.recipient == recipient)
            .order_by(OutboundMessage.id)
        )
        return [(m.channel, m.kind, m.status, m.body) for m in rows]


def test_a_phone_only_farmer_gets_the_new_order_by_zalo_and_sms(browser, live_app, backend):
    app, url = live_app
    product_page = _phone_only_farm(app)

    # The farmer, on the phone, chooses Zalo and SMS for messages
    farmer = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    shop = farmer.new_page()
    shop.goto(f"{url}/login")
    shop.get_by_label("Số điện thoại hoặc email").fill(FARMER_PHONE)
    shop.get_by_label("Mật khẩu").fill(PASSWORD)
    shop.locator("main").get_by_role("button", name="Đăng nhập").click()
    shop.goto(f"{url}/profile")
    section = shop.get_by_role("region", name="Tin nhắn về đơn hàng")
    expect(section.get_by_label("Zalo (0912 000 919)")).to_be_checked()  # the default
    expect(section.get_by_role("checkbox", name="Email")).to_be_disabled()  # no address
    section.get_by_label("SMS (0912 000 919)").check()
    section.get_by_role("button", name="Lưu lựa chọn").click()
    expect(shop.get_by_text("Đã lưu lựa chọn nhận tin của bạn.")).to_be_visible()
    expect(section.get_by_label("SMS (0912 000 919)")).to_be_checked()
    section.screenshot(path=str(SCREENSHOTS / f"{backend}-messages-01-profile.png"))
    farmer.close()

    # A guest orders from the farm, paying on delivery
    guest = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = guest.new_page()
    page.goto(url + product_page)
    page.get_by_role("button", name="Thêm vào giỏ").click()
    fill_checkout(
        page,
        name="Lê Minh Anh",
        phone="0987 000 919",
        province="TP. Hà Nội",
        commune="phường Hoàn Kiếm",
        street="12 Hàng Bạc",
        payment="Trả tiền khi nhận hàng",
    )
    expect(page.get_by_text("Cảm ơn bạn! Đơn hàng đã được đặt.")).to_be_visible()
    number = page.locator("[data-testid^=order-]").first.get_attribute("data-testid")
    number = number.removeprefix("order-")
    guest.close()

    # The farmer's new-order message is in the outbox on both channels, in Vietnamese;
    # the guest, who gave no e-mail, is told by Zalo at the checkout's phone
    farmer_messages = _messages_to(app, "+84912000919")
    assert [(channel, kind) for channel, kind, _, _ in farmer_messages] == [
        ("zalo", "farm_new_order"),
        ("sms", "farm_new_order"),
    ]
    for _, _, status, body in farmer_messages:
        assert status == "sent"  # through the outbox provider: nothing leaves the machine
        assert body.startswith(f"Nông Sản Số: đơn mới {number}: 1 × Vải thiều Lục Ngạn")
        assert "Có thể đóng gói." in body
    manager_mail = _messages_to(app, MEMBER_MAIL)
    assert [(c, k, status) for c, k, status, _ in manager_mail] == [
        ("email", "farm_new_order", "sent")
    ]
    assert "/dashboard/farms/" in manager_mail[0][3]
    assert [(c, k) for c, k, _, _ in _messages_to(app, "+84987000919")] == [
        ("zalo", "order_placed")
    ]
    assert ledger_mismatches_in(app) == []
