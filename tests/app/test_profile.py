"""A person edits their name, contact, language, address and password."""

import pytest

from app.auth import services
from app.auth.roles import Role
from app.errors import PermissionDenied
from app.extensions import db
from tests.app.factories import PASSWORD, log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

PROFILE = {
    "full_name": "Lê Minh Anh",
    "phone": "0912 000 555",
    "email": "",
    "preferred_language": "vi",
}
ADDRESS = {
    "recipient_name": "Lê Minh Anh",
    "address_phone": "0987 654 321",
    "province_code": "01",
    "commune": "00070",  # Phường Hoàn Kiếm, chosen from Hà Nội's list
    "street": "12 Hàng Bạc",
}


@pytest.fixture
def user(client):
    user = make_user(identifier="0912000555", full_name="Lê Anh")
    log_in(client, "0912000555")
    return user


def test_the_profile_page_needs_a_login(client):
    response = client.get("/profile")
    assert response.status_code == 302 and "/login?next=%2Fprofile" in response.headers["Location"]


def test_edit_name_email_and_language(client, user):
    response = client.post_form(
        "/profile",
        {**PROFILE, "email": "Anh@Example.vn", "preferred_language": "en"},
        follow_redirects=True,
    )
    assert "Your profile has been saved." in page_text(response)
    db.session.refresh(user)
    assert (user.full_name, user.email, user.preferred_language) == (
        "Lê Minh Anh",
        "anh@example.vn",
        "en",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_name": ""}, "Vui lòng điền mục này."),
        ({"full_name": "A" * 10_000}, "Nội dung quá dài."),
        ({"phone": "024 3825 1234"}, "Hãy nhập số di động Việt Nam"),
        ({"email": "not-an-email"}, "Hãy nhập địa chỉ email hợp lệ."),
        ({"phone": "", "email": ""}, "Hãy giữ lại số điện thoại hoặc email"),
        ({"preferred_language": "klingon"}, "Ngôn ngữ không được hỗ trợ."),
    ],
)
def test_bad_profile_input_is_explained_and_nothing_changes(client, user, changes, message):
    before = database_snapshot()
    response = client.post_form("/profile", {**PROFILE, **changes})
    assert response.status_code == 422
    assert message in page_text(response)
    assert database_snapshot() == before


def test_a_phone_number_taken_by_someone_else_is_refused(client, user):
    make_user(identifier="0912000666")
    before = database_snapshot()
    response = client.post_form("/profile", {**PROFILE, "phone": "0912000666"})
    assert response.status_code == 422
    assert "Đã có tài khoản dùng số điện thoại này." in page_text(response)
    assert database_snapshot() == before  # not even the name sent with it was saved


def test_save_a_default_delivery_address_in_the_new_two_level_map(client, user):
    response = client.post_form("/profile/address", ADDRESS, follow_redirects=True)
    assert "Đã lưu địa chỉ giao hàng." in page_text(response)
    assert "12 Hàng Bạc, Phường Hoàn Kiếm, TP. Hà Nội" in page_text(response)

    client.post_form("/profile/address", {**ADDRESS, "province_code": "31", "commune": "10813"})
    db.session.refresh(user)
    assert len(user.addresses) == 1 and user.default_address.province_code == "31"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"province_code": ""}, "Vui lòng chọn tỉnh hoặc thành phố trong danh sách."),
        ({"province_code": "30"}, "Vui lòng chọn tỉnh hoặc thành phố trong danh sách."),
        ({"commune": ""}, "Hãy chọn xã hoặc phường của bạn trong danh sách."),
        ({"province_code": "31"}, "Hãy chọn xã hoặc phường trong danh sách của TP. Hải Phòng."),
        ({"street": "x" * 10_000}, "Nội dung quá dài."),
        ({"address_phone": "12"}, "Hãy nhập số di động Việt Nam"),
    ],
)
def test_bad_address_input_is_explained_and_nothing_is_saved(client, user, changes, message):
    before = database_snapshot()
    response = client.post_form("/profile/address", {**ADDRESS, **changes})
    assert response.status_code == 422 and message in page_text(response)
    assert database_snapshot() == before


def test_change_password_signs_out_other_devices(app, client, user):
    other_device = app.test_client()
    log_in(other_device, "0912000555")

    response = client.post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "password": "mat-khau-moi-2026",
            "confirm": "mat-khau-moi-2026",
        },
        follow_redirects=True,
    )

    assert "Đã đổi mật khẩu." in page_text(response)
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"current_password": ""}, "Vui lòng điền mục này."),
        ({"password": "ngan", "confirm": "ngan"}, "Mật khẩu phải có từ 8 đến 128 ký tự."),
        ({"confirm": "khac-hoan-toan"}, "Hai mật khẩu không giống nhau."),
        ({"password": "x" * 10_000, "confirm": "x" * 10_000}, "Mật khẩu phải có từ 8 đến 128"),
    ],
)
def test_bad_new_passwords_are_explained_and_the_old_one_still_works(
    client, user, changes, message
):
    fields = {
        "current_password": PASSWORD,
        "password": "mat-khau-moi-2026",
        "confirm": "mat-khau-moi-2026",
    }
    before = database_snapshot()
    response = client.post_form("/profile/password", {**fields, **changes})
    assert response.status_code == 422 and message in page_text(response)
    assert database_snapshot() == before  # the same hash, other devices still signed in
    client.post_form("/logout")
    assert log_in(client, "0912000555", PASSWORD).status_code == 302


def test_change_password_needs_the_current_one(client, user):
    before = database_snapshot()
    response = client.post_form(
        "/profile/password",
        {
            "current_password": "doan-bua",
            "password": "mat-khau-moi-2026",
            "confirm": "mat-khau-moi-2026",
        },
    )
    assert response.status_code == 422 and "Mật khẩu hiện tại không đúng." in page_text(response)
    assert database_snapshot() == before


def test_a_person_cannot_edit_someone_elses_profile(app):
    mai = make_user()
    binh = make_user()
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.update_profile(
            mai, binh, full_name="X", phone=None, email="x@example.vn", language="vi"
        )
    assert database_snapshot() == before


def test_an_operator_can_correct_someones_profile(app):
    buyer = make_user()
    operator = make_user(role=Role.OPERATOR)
    services.update_profile(
        buyer, operator, full_name="Tên Đúng", phone=None, email="dung@example.vn", language="vi"
    )
    assert buyer.full_name == "Tên Đúng"


def test_the_address_form_lists_the_communes_of_the_saved_province(client, user):
    client.post_form("/profile/address", ADDRESS)
    html = client.get("/profile").get_data(as_text=True)
    assert '<option selected value="00070">Phường Hoàn Kiếm</option>' in html
    assert "Xã Thanh Hà" not in html  # a commune of Hải Phòng


def test_choosing_another_province_lists_its_communes_and_saves_nothing(client, user):
    before = database_snapshot()
    response = client.post_form(
        "/profile/address", {**ADDRESS, "province_code": "31", "show_communes": "1"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="10813">Xã Thanh Hà</option>' in html
    assert "Phường Hoàn Kiếm" not in html
    assert database_snapshot() == before


def test_an_address_never_matched_to_the_official_list_asks_for_the_commune(client, user):
    client.post_form("/profile/address", ADDRESS)
    address = user.default_address
    address.commune, address.commune_code = "P. Hoan Kiem cu", None
    db.session.commit()

    html = client.get("/profile").get_data(as_text=True)

    assert 'data-testid="choose-commune"' in html and "P. Hoan Kiem cu" in html
    assert "<option selected" not in html.split('id="commune"')[1].split("</select>")[0]
    client.post_form("/profile/address", ADDRESS)
    db.session.refresh(address)
    assert (address.commune, address.commune_code) == ("Phường Hoàn Kiếm", "00070")
