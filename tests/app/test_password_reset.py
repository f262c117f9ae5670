"""Choosing a new password through a signed, expiring link sent by mail."""

import re

from freezegun import freeze_time

from tests.app.factories import PASSWORD, log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


def _reset_link(message) -> str:
    match = re.search(r"https://nongsan\.test(/password/reset/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def test_a_reset_link_is_mailed_in_the_users_language(client, outbox):
    make_user(identifier="mai@example.vn", language="en")

    response = client.post_form(
        "/password/forgot", {"identifier": "Mai@Example.vn"}, follow_redirects=True
    )

    assert "we have sent it a link" not in page_text(response)  # the page speaks Vietnamese
    assert "chúng tôi đã gửi vào đó đường dẫn" in page_text(response)
    assert len(outbox) == 1 and outbox[0]["To"] == "mai@example.vn"
    assert outbox[0]["Subject"] == "Choose a new password for Nông Sản Số"
    assert "Hello" in outbox[0].get_content()


def test_the_link_sets_a_new_password_once(client, outbox):
    make_user(identifier="mai@example.vn")
    client.post_form("/password/forgot", {"identifier": "mai@example.vn"})
    link = _reset_link(outbox[0])

    response = client.post_form(
        link,
        {"password": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"},
        follow_redirects=True,
    )

    assert "Đã đổi mật khẩu. Bạn có thể đăng nhập ngay." in page_text(response)
    assert log_in(client, "mai@example.vn", PASSWORD).status_code == 422
    assert log_in(client, "mai@example.vn", "mat-khau-moi-2026").status_code == 302
    client.post_form("/logout")
    reused = client.get(link, follow_redirects=True)
    assert "không hợp lệ hoặc đã hết hạn" in page_text(reused)


def test_the_link_expires_after_an_hour(client, outbox):
    make_user(identifier="mai@example.vn")
    with freeze_time("2026-06-01 08:00:00"):
        client.post_form("/password/forgot", {"identifier": "mai@example.vn"})
    link = _reset_link(outbox[0])
    with freeze_time("2026-06-01 09:01:00"):
        response = client.get(link, follow_redirects=True)
    assert "không hợp lệ hoặc đã hết hạn" in page_text(response)


def test_a_forged_link_changes_nothing(client):
    make_user(identifier="mai@example.vn")
    before = database_snapshot()
    response = client.post_form(
        "/password/reset/forged.token", {"password": "x" * 10, "confirm": "x" * 10}
    )
    assert response.status_code == 302
    assert database_snapshot() == before


def test_unknown_accounts_get_the_same_answer_and_no_mail(client, outbox):
    response = client.post_form(
        "/password/forgot", {"identifier": "nobody@example.vn"}, follow_redirects=True
    )
    assert "chúng tôi đã gửi vào đó đường dẫn" in page_text(response)
    assert outbox == []


def test_a_phone_only_account_gets_no_mail(client, outbox):
    make_user(identifier="0912000555")
    client.post_form("/password/forgot", {"identifier": "0912000555"})
    assert outbox == []


def test_mismatched_new_passwords_are_refused(client, outbox):
    make_user(identifier="mai@example.vn")
    client.post_form("/password/forgot", {"identifier": "mai@example.vn"})
    before = database_snapshot()
    response = client.post_form(
        _reset_link(outbox[0]), {"password": "mat-khau-moi-2026", "confirm": "khac"}
    )
    assert response.status_code == 422 and "Hai mật khẩu không giống nhau." in page_text(response)
    assert database_snapshot() == before
    assert log_in(client, "mai@example.vn", PASSWORD).status_code == 302


def test_an_empty_request_is_explained(client, outbox):
    response = client.post_form("/password/forgot", {"identifier": ""})
    assert response.status_code == 422 and "Vui lòng điền mục này." in page_text(response)
    assert outbox == []
