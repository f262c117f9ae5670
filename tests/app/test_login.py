"""Logging in and out, remember me, and the limit on wrong passwords."""

from app.extensions import db
from tests.app.factories import PASSWORD, log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


def test_log_in_with_the_phone_number_written_any_way(client):
    make_user(identifier="0912000555", full_name="Trần Văn Bình")
    response = log_in(client, "+84 912 000 555")
    assert response.status_code == 302
    assert "Trần Văn Bình" in page_text(client.get("/"))


def test_log_in_with_email_in_any_case(client):
    make_user(identifier="binh@example.vn")
    assert log_in(client, "Binh@Example.VN").status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client):
    make_user(identifier="0912000555")
    before = database_snapshot()
    response = log_in(client, "0912000555", "sai-mat-khau")
    assert response.status_code == 422
    assert database_snapshot() == before
    assert "Số điện thoại, email hoặc mật khẩu không đúng." in page_text(response)
    assert client.get("/profile").status_code == 302


def test_empty_and_oversized_fields_are_refused(client):
    response = client.post_form("/login", {"identifier": "", "password": ""})
    assert response.status_code == 422 and "Vui lòng điền mục này." in page_text(response)
    response = client.post_form("/login", {"identifier": "0" * 10_000, "password": "x"})
    assert response.status_code == 422 and "Nội dung quá dài." in page_text(response)


def test_a_disabled_account_cannot_log_in(client):
    make_user(identifier="0912000555", active=False)
    before = database_snapshot()
    assert log_in(client, "0912000555").status_code == 422
    assert client.get("/profile").status_code == 302
    assert database_snapshot() == before


def test_the_sixth_wrong_password_for_one_account_is_told_to_wait(client):
    make_user(identifier="0912000555")
    for _ in range(5):
        assert log_in(client, "0912000555", "sai-mat-khau").status_code == 422

    before = database_snapshot()
    response = log_in(client, "0912 000 555", PASSWORD)

    assert response.status_code == 429
    assert "Vui lòng đợi vài phút rồi thử lại sau." in page_text(response)
    # The right password, told to wait, does not sign in and writes nothing
    assert client.get("/profile").status_code == 302
    assert database_snapshot() == before


def test_the_account_limit_holds_across_addresses(app):
    make_user(identifier="0912000555")
    for n in range(5):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
        log_in(other, "0912000555", "sai-mat-khau")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert log_in(attacker, "0912000555", "sai-mat-khau").status_code == 429


def test_the_sixth_wrong_password_from_one_address_is_told_to_wait(client):
    for n in range(5):
        make_user(identifier=f"09120006{n:02d}")
        log_in(client, f"09120006{n:02d}", "sai-mat-khau")
    make_user(identifier="0912000699")
    response = log_in(client, "0912000699", "sai-mat-khau")
    assert response.status_code == 429
    assert "Vui lòng đợi vài phút rồi thử lại sau." in page_text(response)


def test_successful_logins_do_not_count_towards_the_limit(client):
    make_user(identifier="0912000555")
    for _ in range(8):
        assert log_in(client, "0912000555").status_code == 302
        client.post_form("/logout")


def test_logging_out_ends_the_session(client):
    make_user(identifier="0912000555")
    log_in(client, "0912000555")
    response = client.post_form("/logout", follow_redirects=True)
    assert "Bạn đã đăng xuất." in page_text(response)
    assert client.get("/profile").status_code == 302


def test_logout_needs_a_post_with_a_token(client):
    make_user(identifier="0912000555")
    log_in(client, "0912000555")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/profile").status_code == 200


def test_remember_me_keeps_the_user_after_the_browser_session(app, client):
    make_user(identifier="0912000555")
    log_in(client, "0912000555", remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None

    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/profile").status_code == 200


def test_without_remember_me_there_is_no_lasting_cookie(client):
    make_user(identifier="0912000555")
    log_in(client, "0912000555")
    assert client.get_cookie("remember_token") is None


def test_login_only_redirects_within_the_site(client):
    make_user(identifier="0912000555")
    response = client.post_form(
        "/login?next=https://evil.example/", {"identifier": "0912000555", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_last_login_time_is_recorded(client):
    user = make_user(identifier="0912000555")
    log_in(client, "0912000555")
    db.session.refresh(user)
    assert user.last_login_at is not None and user.last_login_at.tzinfo is not None
