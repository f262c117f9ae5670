"""The profile confirms the account's phone number (code by Zalo or SMS) and e-mail (code by
mail); a changed number or address has to be confirmed again."""

import re

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.one_time_codes import OneTimeCode
from app.extensions import db
from app.messaging import OutboundMessage
from tests.app.factories import log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


@pytest.fixture
def signed_in(client):
    user = make_user(identifier="0912000555", email="lam@example.vn")
    log_in(client, "0912000555")
    return user


def _last_message() -> OutboundMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc())).first()


def _code_in(message: OutboundMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _user(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_profile_offers_to_confirm_phone_and_email(client, signed_in):
    html = client.get("/profile").get_data(as_text=True)
    assert 'href="/profile/confirm/phone"' in html and 'href="/profile/confirm/email"' in html


def test_a_phone_is_confirmed_with_a_code_by_sms(client, signed_in):
    sent = client.post_form(
        "/profile/confirm/phone/send", {"channel": "sms"}, follow_redirects=True
    )
    assert "Chúng tôi đã gửi mã cho bạn." in page_text(sent)
    message = _last_message()
    assert (message.channel, message.recipient, message.kind) == (
        "sms",
        "+84912000555",
        "phone_code",
    )
    assert "mã xác nhận số điện thoại này" in message.body

    done = client.post_form(
        "/profile/confirm/phone", {"code": _code_in(message)}, follow_redirects=True
    )

    assert "Số điện thoại của bạn đã được xác nhận." in page_text(done)
    assert _user(signed_in).phone_verified_at is not None
    assert 'data-testid="confirm-phone"' in done.get_data(as_text=True)
    assert 'href="/profile/confirm/phone"' not in done.get_data(as_text=True)


def test_an_email_is_confirmed_with_a_mailed_code(client, signed_in, outbox):
    client.post_form("/profile/confirm/email/send", {})
    (mail,) = outbox
    code = re.search(r"\b(\d{6})\b", mail.get_content()).group(1)
    # The code is in the body, never the subject (mail lists and the outbox show subjects)
    assert mail["To"] == "lam@example.vn" and mail["Subject"] == "Mã xác nhận Nông Sản Số của bạn"
    assert "mã xác nhận địa chỉ email này" in mail.get_content()

    client.post_form("/profile/confirm/email", {"code": code})

    assert _user(signed_in).email_verified_at is not None
    assert _user(signed_in).phone_verified_at is None


def test_a_wrong_code_confirms_nothing(client, signed_in):
    client.post_form("/profile/confirm/phone/send", {"channel": "zalo"})
    code = _code_in(_last_message())
    before = database_snapshot(excluding=[OneTimeCode])

    response = client.post_form(
        "/profile/confirm/phone", {"code": f"{(int(code) + 7) % 10**6:06d}"}
    )

    assert response.status_code == 422 and "Mã này không đúng." in page_text(response)
    assert database_snapshot(excluding=[OneTimeCode]) == before


def test_changing_the_number_drops_its_confirmation(client, signed_in):
    client.post_form("/profile/confirm/phone/send", {"channel": "zalo"})
    code = _code_in(_last_message())
    client.post_form("/profile/confirm/phone", {"code": code})
    assert _user(signed_in).phone_verified_at is not None

    client.post_form(
        "/profile",
        {
            "full_name": signed_in.full_name,
            "phone": "0912 000 666",
            "email": "lam@example.vn",
            "preferred_language": "vi",
        },
    )

    assert _user(signed_in).phone_verified_at is None


def test_a_code_sent_before_the_number_changed_proves_nothing(client, signed_in):
    client.post_form("/profile/confirm/phone/send", {"channel": "zalo"})
    code = _code_in(_last_message())
    signed_in.phone = "+84912000666"
    db.session.commit()

    response = client.post_form("/profile/confirm/phone", {"code": code})

    assert response.status_code == 422
    assert _user(signed_in).phone_verified_at is None


def test_a_confirmed_phone_is_not_sent_another_code(client, signed_in):
    client.post_form("/profile/confirm/phone/send", {"channel": "zalo"})
    client.post_form("/profile/confirm/phone", {"code": _code_in(_last_message())})
    before = database_snapshot()

    response = client.post_form("/profile/confirm/phone/send", {"channel": "zalo"})

    assert response.status_code == 422 and "Thông tin này đã được xác nhận." in page_text(response)
    assert database_snapshot() == before


def test_a_fourth_code_in_fifteen_minutes_is_refused_with_a_reason(client, signed_in):
    for _ in range(3):
        client.post_form("/profile/confirm/phone/send", {"channel": "sms"})
    before = database_snapshot()

    response = client.post_form("/profile/confirm/phone/send", {"channel": "sms"})

    assert response.status_code == 422 and "Đã gửi quá nhiều mã." in page_text(response)
    assert database_snapshot() == before


def test_an_account_without_email_cannot_ask_for_an_email_code(client):
    make_user(identifier="0912000777")
    log_in(client, "0912000777")
    before = database_snapshot()

    response = client.post_form("/profile/confirm/email/send", {})

    assert response.status_code == 422 and "Hãy thêm địa chỉ email vào hồ sơ trước." in page_text(
        response
    )
    assert database_snapshot() == before


def test_the_pages_need_a_login_and_a_known_kind(client, signed_in):
    assert client.get("/profile/confirm/fax").status_code == 404
    client.post_form("/logout")
    assert client.get("/profile/confirm/phone").status_code == 302
