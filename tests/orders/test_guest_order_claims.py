"""Orders placed without logging in join the account that proves their phone or e-mail."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import verification
from app.db import utcnow
from app.extensions import db
from app.messaging import OutboundMessage
from orders.claims import CLAIM_WINDOW, attach_guest_checkouts
from orders.models import Checkout
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact, place_one
from tests.products.factories import make_product
from tests.support.snapshots import table_snapshot
from tests.support.web import page_text


@pytest.fixture
def lychee(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải Lục Ngạn"))
    return make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]


def _guest_order(variant, phone="0912 000 555", email=None) -> Checkout:
    return place_one(variant, contact=hanoi_contact(phone=phone, email=email))


def _buyer_of(checkout: Checkout) -> int | None:
    db.session.expire_all()
    return db.session.get(Checkout, checkout.id).buyer_id


def test_confirming_the_phone_brings_its_guest_orders_to_my_orders(client, lychee):
    # Given an order placed as a guest, then an account with the same number
    checkout = _guest_order(lychee)
    number = checkout.orders[0].number
    make_user(identifier="0912000555")
    db.session.commit()
    log_in(client, "0912000555")
    assert number not in page_text(client.get("/orders"))

    # When the account confirms its number
    client.post_form("/profile/confirm/phone/send", {"channel": "zalo"})
    message = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "phone_code")
    ).one()
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    done = client.post_form("/profile/confirm/phone", {"code": code}, follow_redirects=True)

    # Then the order is the account's
    assert "1 đơn bạn đã đặt khi chưa đăng nhập nay đã có trong đơn hàng của bạn." in page_text(
        done
    )
    assert number in page_text(client.get("/orders"))


def test_a_proven_email_attaches_whatever_its_letter_case(lychee):
    checkout = _guest_order(lychee, phone="0912 000 999", email="anh@example.vn")
    checkout.contact_email = "Anh@Example.VN"  # as older rows may hold it
    user = make_user(identifier="anh@example.vn")
    user.email_verified_at = utcnow()

    note = attach_guest_checkouts(user, "email", "anh@example.vn")

    assert _buyer_of(checkout) == user.id and note


def test_a_password_reset_by_phone_code_attaches_too(lychee):
    checkout = _guest_order(lychee)
    user = make_user(identifier="0912000555")
    user.phone_verified_at = None

    verification.mark_verified(user, "phone")

    assert _buyer_of(checkout) == user.id


def test_guest_orders_older_than_the_window_stay_with_the_number_s_past(lychee):
    # Given a guest order placed four months ago with a number that has since changed hands
    old = _guest_order(lychee)
    old.created_at = utcnow() - CLAIM_WINDOW - timedelta(days=30)
    recent = _guest_order(lychee)
    user = make_user(identifier="0912000555")
    user.phone_verified_at = utcnow()

    # When its new owner proves the number, then only the recent order joins the account
    attach_guest_checkouts(user, "phone", "+84912000555")
    assert (_buyer_of(old), _buyer_of(recent)) == (None, user.id)


def test_an_order_that_has_a_buyer_never_moves(lychee):
    someone = make_user(identifier="0912000888")
    theirs = place_one(lychee, buyer=someone, contact=hanoi_contact(phone="0912 000 555"))
    user = make_user(identifier="0912000555")
    user.phone_verified_at = utcnow()

    assert attach_guest_checkouts(user, "phone", "+84912000555") is None
    assert _buyer_of(theirs) == someone.id


def test_an_unproven_contact_attaches_nothing(lychee):
    _guest_order(lychee, email="anh@example.vn")
    user = make_user(identifier="0912000555", email="anh@example.vn")
    before = table_snapshot(Checkout)

    assert attach_guest_checkouts(user, "phone", "+84912000555") is None
    assert attach_guest_checkouts(user, "email", "anh@example.vn") is None
    assert table_snapshot(Checkout) == before


def test_a_contact_the_account_does_not_hold_attaches_nothing(lychee):
    _guest_order(lychee, phone="0912 000 999")
    user = make_user(identifier="0912000555")
    user.phone_verified_at = utcnow()
    before = table_snapshot(Checkout)

    assert attach_guest_checkouts(user, "phone", "+84912000999") is None
    assert attach_guest_checkouts(user, "phone", "+84912000555") is None
    assert table_snapshot(Checkout) == before
