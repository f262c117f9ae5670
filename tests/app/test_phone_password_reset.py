"""A phone-only account chooses a new password with a code sent by Zalo or SMS."""

import json
import re

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.auth.models import User
from app.auth.one_time_codes import OneTimeCode
from app.extensions import db
from app.messaging import OutboundMessage
from tests.app.factories import PASSWORD, log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

NEW_PASSWORD = "vai-thieu-2026"
NEUTRAL = "Nếu có tài khoản dùng số 0912 000 555, chúng tôi đã gửi mã qua"
WRONG = "Mã này không đúng."


@pytest.fixture
def farmer(app):
    return make_user(identifier="0912000555", full_name="Nguyễn Văn Lâm")


def _messages() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def _code_in(message: OutboundMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _ask(client, identifier="0912 000 555", **fields):
    return client.post_form(
        "/password/forgot", {"identifier": identifier, **fields}, follow_redirects=True
    )


def _send_code(client, code, password=NEW_PASSWORD, confirm=None):
    return client.post_form(
        "/password/code",
        {"code": code, "password": password, "confirm": confirm or password},
    )


def _other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_phone_number_gets_a_code_by_zalo_unless_sms_is_chosen(client, farmer):
    page = _ask(client)

    assert NEUTRAL in page_text(page) and "Zalo" in page_text(page)
    assert "Nhập mã 6 chữ số chúng tôi đã gửi đến 0912 000 555" in page_text(page)
    (message,) = _messages()
    code = _code_in(message)
    assert (message.channel, message.recipient, message.kind) == (
        "zalo",
        "+84912000555",
        "password_code",
    )
    assert json.loads(message.params_json) == {"otp": code}
    assert message.status == "sent" and message.user_id == farmer.id
    assert "mã để đặt mật khẩu mới" in message.body
    assert "10 phút" in message.body and "Không chia sẻ mã này" in message.body


def test_sms_in_english_for_an_account_that_reads_english(client):
    make_user(identifier="0912000666", language="en")

    _ask(client, "0912000666", channel="sms")

    (message,) = _messages()
    assert (message.channel, message.recipient, message.params_json) == (
        "sms",
        "+84912000666",
        "{}",
    )
    assert "is your code to choose a new password" in message.body
    assert "10 minutes" in message.body and "Do not share it with anyone" in message.body


def test_an_unknown_number_gets_the_same_answer_and_no_message(client, farmer):
    known = page_text(_ask(client))
    unknown = page_text(_ask(client, "0912 000 999"))

    assert known.replace("0912 000 555", "X") == unknown.replace("0912 000 999", "X")
    assert [m.recipient for m in _messages()] == ["+84912000555"]


def test_the_code_sets_the_new_password_and_signs_out_other_sessions(app, client, farmer):
    # Given the farmer still logged in on another phone
    other_phone = app.test_client()
    log_in(other_phone, "0912000555")
    assert other_phone.get("/profile").status_code == 200
    _ask(client)
    code = _code_in(_messages()[0])

    response = _send_code(client, code)

    assert response.status_code == 302 and response.location.endswith("/login")
    page = client.get("/login")
    assert "Đã đổi mật khẩu. Bạn có thể đăng nhập ngay." in page_text(page)
    assert other_phone.get("/profile").status_code == 302
    assert log_in(client, "0912000555", PASSWORD).status_code == 422
    assert log_in(client, "0912000555", NEW_PASSWORD).status_code == 302


def test_the_code_proves_the_phone(client, farmer):
    _ask(client)
    _send_code(client, _code_in(_messages()[0]))

    db.session.expire_all()
    assert db.session.get(User, farmer.id).phone_verified_at is not None


def test_a_wrong_code_changes_nothing_but_counts_a_try(client, farmer):
    _ask(client)
    code = _code_in(_messages()[0])
    before = database_snapshot(excluding=[OneTimeCode])

    response = _send_code(client, _other_code(code))

    assert response.status_code == 422 and WRONG in page_text(response)
    assert database_snapshot(excluding=[OneTimeCode]) == before
    db.session.expire_all()
    assert db.session.scalars(select(OneTimeCode.wrong_tries)).one() == 1
    assert log_in(client, "0912000555", PASSWORD).status_code == 302


def test_a_wrong_code_reads_the_same_whether_or_not_the_account_exists(client, farmer):
    _ask(client, "0912 000 999")
    unknown = page_text(_send_code(client, "123456"))
    _ask(client)
    known = page_text(_send_code(client, _other_code(_code_in(_messages()[0]))))

    assert WRONG in unknown
    assert unknown.replace("0912 000 999", "X") == known.replace("0912 000 555", "X")


def test_an_expired_code_is_refused_and_changes_nothing(client, farmer):
    with freeze_time("2026-06-01 08:00:00"):
        _ask(client)
    code = _code_in(_messages()[0])
    before = database_snapshot()

    with freeze_time("2026-06-01 08:10:01"):
        response = _send_code(client, code)

    assert response.status_code == 422 and "Mã này đã hết hạn" in page_text(response)
    assert database_snapshot() == before


def test_a_used_code_does_not_work_again(client, farmer):
    _ask(client)
    code = _code_in(_messages()[0])
    _send_code(client, code)
    _ask(client)  # a new request: the page is open again, the used code stays used
    before = database_snapshot()

    response = _send_code(client, code, password="mot-mat-khau-khac")

    assert "Mã này đã được dùng." in page_text(response)
    assert database_snapshot() == before
    assert log_in(client, "0912000555", NEW_PASSWORD).status_code == 302


def test_five_wrong_codes_kill_it(client, farmer):
    _ask(client)
    code = _code_in(_messages()[0])
    for _ in range(5):
        _send_code(client, _other_code(code))

    response = _send_code(client, code)

    assert "không còn dùng được vì đã nhập sai 5 lần" in page_text(response)
    assert log_in(client, "0912000555", PASSWORD).status_code == 302


def test_a_refused_new_password_does_not_spend_the_code(client, farmer):
    _ask(client)
    code = _code_in(_messages()[0])
    before = database_snapshot()

    response = _send_code(client, code, confirm="khong-giong")

    assert response.status_code == 422 and "Hai mật khẩu không giống nhau." in page_text(response)
    assert database_snapshot() == before
    assert _send_code(client, code).status_code == 302


def test_a_code_that_is_not_six_digits_is_explained_and_not_counted(client, farmer):
    _ask(client)
    before = database_snapshot()

    response = _send_code(client, "12ab56")

    assert response.status_code == 422 and "Hãy nhập 6 chữ số của mã." in page_text(response)
    assert database_snapshot() == before


def test_a_fourth_code_in_fifteen_minutes_is_not_sent_but_the_answer_is_the_same(client, farmer):
    answers = [page_text(_ask(client)) for _ in range(4)]

    assert len(_messages()) == 3
    assert answers[3] == answers[0]


def test_the_code_page_asks_for_a_request_first(client):
    response = client.get("/password/code", follow_redirects=True)
    assert "Hãy yêu cầu mã trước." in page_text(response)


def test_an_email_still_gets_a_link_and_no_code(client, outbox):
    make_user(identifier="mai@example.vn")

    page = _ask(client, "mai@example.vn")

    assert "chúng tôi đã gửi vào đó đường dẫn" in page_text(page)
    assert [m.kind for m in _messages()] == ["password_reset"]


def test_one_client_address_may_check_thirty_codes_an_hour(client, farmer):
    _ask(client)
    for _ in range(30):
        assert _send_code(client, "000000").status_code in (302, 422)

    assert _send_code(client, "000000").status_code == 429
