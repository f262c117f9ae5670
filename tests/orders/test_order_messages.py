"""Who is told what, on which channel and in which language, when an order changes: the buyer
and the farm's people, each on the channels they chose, once the change commits."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.auth.roles import Role
from app.db import utcnow
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.messaging import OutboundMessage
from app.messaging.notices import SHORT_TEXT_LIMIT
from farms.models import FarmMember, MemberRole
from farms.services import set_bank_account
from orders import bank_notifications, services
from orders.buyer_notices import OrderUpdate, placed_notice, update_notice
from orders.farm_notices import FarmNotice, farm_notice
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact, place_one
from tests.orders.test_stripe import _event, _send, card_checkout, stripe_app  # noqa: F401
from tests.products.factories import make_product

BUYER_PHONE = "+84912000555"
BUYER_MAIL = "anh@example.vn"
OWNER_PHONE = "+84912000777"
MEMBER_MAIL = "chi@example.vn"
FARM_ACCOUNT = "257678859"


def _messages(after_id: int = 0) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.id > after_id)
            .order_by(OutboundMessage.id)
        )
    )


def _sent(after_id: int = 0) -> set[tuple[str, str, str]]:
    """(recipient, channel, kind) of every message queued since `after_id`."""
    return {(m.recipient, m.channel, m.kind) for m in _messages(after_id)}


def _last_id() -> int:
    return max((m.id for m in _messages()), default=0)


@pytest.fixture
def shop(app):
    """A farm run by a phone-only owner who chose Zalo and SMS, with an English-speaking
    member reached by e-mail; a second farm whose owner must hear nothing of the first; a
    buyer with a phone (account in English) who gives an e-mail at checkout."""
    farm = deliver_everywhere(make_farm(name="Vườn vải Thanh Hà"))
    owner = farm.members[0].user
    owner.phone = OWNER_PHONE
    owner.message_channels = "zalo,sms"
    member = make_user(role=Role.FARMER, identifier=MEMBER_MAIL, language="en")
    farm.members.append(FarmMember(user=member, role=MemberRole.MANAGER.value))
    set_bank_account(
        farm, owner, bank_bin="970416", account_number=FARM_ACCOUNT, holder_name="Nguyen Van A"
    )
    other_farm = deliver_everywhere(make_farm(name="Trà Thái Nguyên"))
    other_farm.members[0].user.message_channels = "zalo,sms"
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    buyer = make_user(identifier="0912000555", language="en")
    db.session.commit()
    return farm, owner, member, buyer, variant


def _place(shop, **kw):
    farm, owner, member, buyer, variant = shop
    checkout = place_one(
        variant, buyer=buyer, contact=hanoi_contact(email=BUYER_MAIL), language="vi", **kw
    )
    db.session.commit()
    return checkout.orders[0]


BUYER_DEFAULTS = {(BUYER_MAIL, "email"), (BUYER_PHONE, "zalo")}
OWNER = {(OWNER_PHONE, "zalo"), (OWNER_PHONE, "sms")}
MEMBER = {(MEMBER_MAIL, "email")}


def _to(people: set[tuple[str, str]], kind: str) -> set[tuple[str, str, str]]:
    return {(address, channel, kind) for address, channel in people}


def test_placing_tells_the_buyer_and_each_member_of_the_farm_on_their_channels(shop):
    order = _place(shop)

    assert _sent() == (
        _to(BUYER_DEFAULTS, "order_placed")
        | _to(OWNER, "farm_new_order")
        | _to(MEMBER, "farm_new_order")
    )
    by_recipient = {(m.recipient, m.channel): m for m in _messages()}
    # Each in their own language: the owner's account is Vietnamese, the member's English
    owner_sms = by_recipient[(OWNER_PHONE, "sms")].body
    assert owner_sms.startswith(f"Nông Sản Số: đơn mới {order.number}: 2 × Vải thiều")
    assert "Chờ thanh toán rồi mới đóng gói." in owner_sms
    member_mail = by_recipient[(MEMBER_MAIL, "email")]
    assert member_mail.subject == f"New order {order.number} for Vườn vải Thanh Hà"
    assert "Wait for the payment before packing." in member_mail.body
    assert f"https://nongsan.test/dashboard/farms/{order.farm_id}/orders" in member_mail.body
    # The buyer's account is in English although the order was placed on a Vietnamese page
    buyer_zalo = by_recipient[(BUYER_PHONE, "zalo")]
    assert buyer_zalo.body.startswith(f"Nông Sản Số: we have your order {order.number},")
    params = json.loads(buyer_zalo.params_json)
    assert params["order_numbers"] == order.number
    assert params["link"].startswith("https://nongsan.test/orders/c/")
    # SMS and Zalo bodies fit two SMS parts; only Zalo carries template values
    assert all(len(m.body) <= SHORT_TEXT_LIMIT for m in _messages() if m.channel != "email")
    assert json.loads(by_recipient[(OWNER_PHONE, "sms")].params_json) == {}


def _confirm(order, owner, member, buyer):
    services.confirm_transfer(order, owner)


def _pack(order, owner, member, buyer):
    services.pack_order(order, owner)


def _ship(order, owner, member, buyer):
    services.ship_order(order, owner, carrier="ghn", tracking_number="GHN123456")


def _bank_credit(amount_change: int = 0):
    def credit(order, owner, member, buyer):
        bank_notifications.record_credit(
            {
                "id": f"FT{order.id}{amount_change}",
                "amount": order.total_vnd + amount_change,
                "account": FARM_ACCOUNT,
                "description": f"LE MINH ANH chuyen tien {order.number}",
            }
        )

    return credit


#: Each step: the steps before it, the step, who hears of it.
STEPS = {
    "farm confirms the transfer": (
        [],
        _confirm,
        # The owner confirmed it: only the other member is told
        _to(BUYER_DEFAULTS, "order_paid") | _to(MEMBER, "farm_order_paid"),
    ),
    "bank notifies the exact transfer": (
        [],
        _bank_credit(),
        _to(BUYER_DEFAULTS, "order_paid")
        | _to(OWNER, "farm_order_paid")
        | _to(MEMBER, "farm_order_paid"),
    ),
    "bank notifies a transfer of the wrong amount": (
        [],
        _bank_credit(-80000),
        _to(OWNER, "farm_payment_review") | _to(MEMBER, "farm_payment_review"),
    ),
    "bank notifies a transfer for an order cancelled meanwhile": (
        [lambda order, owner, member, buyer: services.cancel_by_buyer(order, buyer)],
        _bank_credit(),
        _to(OWNER, "farm_payment_review") | _to(MEMBER, "farm_payment_review"),
    ),
    "farm packs": ([_confirm], _pack, _to(BUYER_DEFAULTS, "order_packed")),
    "farm ships": ([_confirm, _pack], _ship, _to(BUYER_DEFAULTS, "order_shipped")),
    "farm marks delivered": (
        [_confirm, _pack, _ship],
        lambda order, owner, member, buyer: services.mark_delivered(order, owner),
        _to(BUYER_DEFAULTS, "order_delivered"),
    ),
    "buyer cancels": (
        [],
        lambda order, owner, member, buyer: services.cancel_by_buyer(order, buyer),
        _to(BUYER_DEFAULTS, "order_cancelled")
        | _to(OWNER, "farm_order_cancelled")
        | _to(MEMBER, "farm_order_cancelled"),
    ),
    "farm cancels": (
        [],
        lambda order, owner, member, buyer: services.cancel_by_farm(order, owner, "Mưa đá"),
        _to(BUYER_DEFAULTS, "order_cancelled"),
    ),
    "payment time runs out": (
        [lambda order, *people: setattr(order, "pay_before", utcnow() - timedelta(minutes=1))],
        lambda order, *people: services.expire_unpaid_orders(utcnow()),
        _to(BUYER_DEFAULTS, "order_cancelled"),
    ),
}


def _ready(shop, before):
    farm, owner, member, buyer, variant = shop
    order = _place(shop)
    for step in before:
        step(order, owner, member, buyer)
        db.session.commit()
    return order, (order, owner, member, buyer)


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_tells_who_it_concerns_on_their_channels(shop, step):
    before, act, expected = STEPS[step]
    order, people = _ready(shop, before)
    start = _last_id()

    act(*people)
    db.session.commit()

    assert _sent(start) == expected
    assert all(len(m.body) <= SHORT_TEXT_LIMIT for m in _messages(start) if m.channel != "email")


@pytest.mark.parametrize("step", list(STEPS))
def test_a_step_rolled_back_tells_nobody(shop, step):
    before, act, _ = STEPS[step]
    order, people = _ready(shop, before)
    start = _last_id()

    act(*people)
    db.session.rollback()
    db.session.commit()

    assert _messages(start) == []


REFUSED = {
    "stranger confirms the transfer": (
        [],
        lambda order, *people: services.confirm_transfer(order, make_user(role=Role.FARMER)),
        PermissionDenied,
    ),
    "buyer cancels a packed order": (
        [_confirm, _pack],
        lambda order, owner, member, buyer: services.cancel_by_buyer(order, buyer),
        DomainError,
    ),
    "another farm's owner packs": (
        [_confirm],
        lambda order, *people: services.pack_order(
            order,
            db.session.scalar(select(FarmMember).where(FarmMember.farm_id != order.farm_id)).user,
        ),
        PermissionDenied,
    ),
    "farm ships an unpacked order": ([_confirm], _ship, DomainError),
}


@pytest.mark.parametrize("step", list(REFUSED))
def test_a_refused_step_tells_nobody(shop, step):
    before, act, refusal = REFUSED[step]
    order, people = _ready(shop, before)
    start = _last_id()

    with pytest.raises(refusal):
        act(*people)
    db.session.rollback()
    db.session.commit()

    assert _messages(start) == []


def test_the_shipping_message_names_the_carrier_and_tracking_number_and_links_the_order(shop):
    order, people = _ready(shop, [_confirm, _pack])
    start = _last_id()

    _ship(*people)
    db.session.commit()

    zalo = next(m for m in _messages(start) if m.channel == "zalo")
    assert "GHN" in zalo.body and "GHN123456" in zalo.body
    params = json.loads(zalo.params_json)
    assert (params["carrier"], params["tracking_number"]) == ("Giao Hàng Nhanh (GHN)", "GHN123456")
    assert params["tracking_link"] == "https://donhang.ghn.vn/?order_code=GHN123456"
    assert params["link"] == f"https://nongsan.test/orders/c/{order.checkout.access_token}"
    mail = next(m for m in _messages(start) if m.channel == "email")
    assert params["link"] in mail.body and "tracking number GHN123456" in mail.body
    assert "https://donhang.ghn.vn/?order_code=GHN123456" in mail.body


def test_a_buyer_who_chose_sms_only_is_sent_only_an_sms(shop):
    shop[3].message_channels = "sms"
    db.session.commit()

    _place(shop)

    assert {m for m in _sent() if m[2] == "order_placed"} == {(BUYER_PHONE, "sms", "order_placed")}


def test_a_chosen_channel_without_an_address_falls_back_to_the_defaults(shop):
    # Given an owner who chose e-mail only and has no e-mail address (it was removed)
    farm, owner, *_ = shop
    owner.message_channels = "email"
    db.session.commit()

    _place(shop)

    # Then the farm still hears of the order, by Zalo at the owner's phone
    assert {m for m in _sent() if m[0] == OWNER_PHONE} == {(OWNER_PHONE, "zalo", "farm_new_order")}


def test_an_inactive_member_is_not_told(shop):
    shop[2].active = False
    db.session.commit()

    _place(shop)

    assert not any(m[0] == MEMBER_MAIL for m in _sent())


@pytest.mark.parametrize(
    ("email", "expected", "opening"),
    [
        ("khach@example.vn", ("khach@example.vn", "email"), "Hello Lê Minh Anh,"),
        ("", ("+84987654321", "zalo"), "Nông Sản Số: we have your order NS"),
    ],
)
def test_a_guest_is_reached_at_the_checkout_email_else_by_zalo_in_its_language(
    shop, email, expected, opening
):
    farm, owner, member, buyer, variant = shop
    place_one(variant, contact=hanoi_contact(email=email), language="en")
    db.session.commit()

    placed = [m for m in _messages() if m.kind == "order_placed"]
    assert [(m.recipient, m.channel) for m in placed] == [expected]
    assert placed[0].body.startswith(opening)


def test_a_card_payment_tells_the_buyer_and_the_farm(client, card_checkout):  # noqa: F811
    _, checkout = card_checkout
    start = _last_id()

    _send(client, _event(checkout))

    kinds = {(m.channel, m.kind) for m in _messages(start)}
    assert ("email", "order_paid") in kinds  # the guest's e-mail
    assert {kind for _, kind in kinds} == {"order_paid", "farm_order_paid"}


def test_a_card_payment_after_cancellation_asks_the_farm_to_refund(client, card_checkout):  # noqa: F811
    _, checkout = card_checkout
    order = checkout.orders[0]
    client.post_form(f"/orders/c/{checkout.access_token}/cancel/{order.id}", {"confirm": "y"})
    start = _last_id()

    _send(client, _event(checkout))

    review = [m for m in _messages(start) if m.kind == "farm_payment_review"]
    assert review and all(m.user_id == order.farm.members[0].user_id for m in review)
    # In the owner's language (Vietnamese)
    assert f"cho đơn {order.number}, nhưng đơn đã bị hủy" in review[0].body


def test_a_failed_card_payment_tells_the_buyer_the_order_is_cancelled(client, card_checkout):  # noqa: F811
    _, checkout = card_checkout
    start = _last_id()

    _send(client, _event(checkout, kind="checkout.session.async_payment_failed"))

    assert {m.kind for m in _messages(start)} == {"order_cancelled"}


HOSTILE_NAME = '%(number)s <b>"Hạnh"</b>\r\n{{ 7*7 }} & ' + "dài " * 60


def test_user_text_stays_on_one_line_cut_short_and_unchanged_in_meaning(app):
    # Given a farm and a product whose names hold markup, line breaks and placeholders
    farm = deliver_everywhere(make_farm(name=HOSTILE_NAME[:110]))
    owner = farm.members[0].user
    owner.email = "chu@example.vn"
    owner.phone = OWNER_PHONE
    owner.message_channels = "email,zalo,sms"
    variant = make_product(farm, name="Vải <script>alert(1)</script>\nthiều", prices=(180000,))
    variant = variant.variants[0]
    db.session.commit()

    order_number = (
        place_one(variant, contact=hanoi_contact(email=""), language="vi").orders[0].number
    )
    db.session.commit()

    messages = {(m.recipient, m.channel): m for m in _messages()}
    sms = messages[(OWNER_PHONE, "sms")]
    # The short texts: one line, cut to two SMS parts, the names as typed (plain text)
    for message in (sms, messages[(OWNER_PHONE, "zalo")], messages[("+84987654321", "zalo")]):
        assert "\n" not in message.body and "\r" not in message.body
        assert len(message.body) <= SHORT_TEXT_LIMIT
    assert "2 × Vải <script>alert(1)</script>…" in sms.body
    params = json.loads(messages[(OWNER_PHONE, "zalo")].params_json)
    assert params["items"] == "2 × Vải <script>alert(1)</script>…"
    assert params["farm_name"] == '%(number)s <b>"Hạnh"</b> {{ 7…'
    assert all(
        "\n" not in value and len(value) <= 100 for k, value in params.items() if k != "link"
    )
    # The mail: a subject on one line; the body carries the text as plain text, unescaped
    mail = messages[("chu@example.vn", "email")]
    assert mail.subject == f'Đơn hàng mới {order_number} cho %(number)s <b>"Hạnh"</b> {{{{ 7…'
    assert "<script>alert(1)</script>" in mail.body and "&lt;" not in mail.body


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_short_text_fits_two_sms_parts_without_being_cut(app, language):
    # Given an order with the longest names and amounts a farm can type
    farm = deliver_everywhere(make_farm(name="Hợp tác xã " + "Nông nghiệp " * 8))
    # 999 boxes at 2 million đồng: the longest amounts a 32-bit total holds
    product = make_product(farm, name="Vải thiều " * 12, prices=(2_000_000,))
    variant = product.variants[0]
    variant.stock = 5000
    db.session.flush()
    checkout = place_one(
        variant, quantity=999, contact=hanoi_contact(email=""), payment_method="bank_transfer"
    )
    order = checkout.orders[0]
    order.carrier, order.tracking_number = "Viettel Post " * 6, "VTP" + "9" * 70
    order.payment_status = "refund_needed"
    link = "https://nongsan.test/orders/c/" + "x" * 43

    # When every notice is written in the language
    with app.test_request_context(), force_locale(language):
        notices = [placed_notice(checkout, link)]
        notices += [update_notice(order, update, link, 99_000_000) for update in OrderUpdate]
        notices += [farm_notice(kind, order, link, 98_000_000) for kind in FarmNotice]
        order.status = "cancelled"  # money that came after the cancellation
        notices.append(farm_notice(FarmNotice.PAYMENT_REVIEW, order, link, 98_000_000))

    # Then each short text ends with its own full stop (nothing cut but the names)
    for notice in notices:
        assert len(notice.text) <= SHORT_TEXT_LIMIT, notice.text
        assert notice.text.endswith((".", "!")), (notice.kind, notice.text)
