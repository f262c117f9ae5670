"""Signing up with a phone number or an e-mail address."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

VALID = {
    "full_name": "Nguyễn Thị Mai",
    "identifier": "0912 345 678",
    "password": "vai-thieu-2026",
    "confirm": "vai-thieu-2026",
    "account_type": "buyer",
}


def test_a_buyer_signs_up_with_a_phone_number_and_is_logged_in(client):
    response = client.post_form("/signup", VALID, follow_redirects=True)

    assert "Chào mừng Nguyễn Thị Mai đến với Nông Sản Số!" in page_text(response)
    user = db.session.scalar(select(User).where(User.phone == "+84912345678"))
    assert user.role == "buyer" and user.preferred_language == "vi"
    assert user.password_hash.startswith("scrypt:")
    assert "Nguyễn Thị Mai" in page_text(client.get("/profile"))


def test_a_farmer_can_sign_up_to_sell(client):
    client.post_form("/signup", {**VALID, "identifier": "hoa@example.vn", "account_type": "farmer"})
    assert db.session.scalar(select(User.role).where(User.email == "hoa@example.vn")) == "farmer"


def test_signing_up_in_english_keeps_english(client):
    client.post_form("/language", {"lang": "en"})
    client.post_form("/signup", VALID)
    assert db.session.scalar(select(User.preferred_language)) == "en"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_name": ""}, "Vui lòng điền mục này."),
        ({"identifier": ""}, "Vui lòng điền mục này."),
        ({"identifier": "12345"}, "Hãy nhập số di động Việt Nam (ví dụ 0912 345 678)"),
        ({"identifier": "mai@@example"}, "Hãy nhập số di động Việt Nam"),
        ({"full_name": "A" * 10_000}, "Nội dung quá dài."),
        ({"password": "ngan", "confirm": "ngan"}, "Mật khẩu phải có từ 8 đến 128 ký tự."),
        ({"confirm": "khac-hoan-toan"}, "Hai mật khẩu không giống nhau."),
        ({"account_type": "operator"}, "Vui lòng chọn một trong các lựa chọn."),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(client, changes, message):
    before = database_snapshot()
    response = client.post_form("/signup", {**VALID, **changes})

    assert response.status_code == 422
    assert message in page_text(response)
    assert database_snapshot() == before


def test_bad_input_is_explained_in_english_on_an_english_page(client):
    client.post_form("/language", {"lang": "en"})
    response = client.post_form("/signup", {**VALID, "confirm": "something-else"})
    assert "The two passwords are not the same." in page_text(response)


def test_the_same_phone_written_differently_cannot_sign_up_twice(client):
    client.post_form("/signup", VALID)
    client.post_form("/logout")
    before = database_snapshot()

    response = client.post_form("/signup", {**VALID, "identifier": "+84 912 345 678"})

    assert response.status_code == 422
    assert "Đã có tài khoản dùng số điện thoại này." in page_text(response)
    assert database_snapshot() == before


def test_a_form_without_its_csrf_token_is_refused(client):
    before = database_snapshot()
    response = client.post("/signup", data=VALID)
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in page_text(response)
    assert database_snapshot() == before
