"""Sessions end on the server: logging out, signing out every device, the CSRF token at log-in."""

from __future__ import annotations

import re

from app.extensions import db
from tests.app.factories import PASSWORD, log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _copy_cookies(source, target, *names):
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_a_session_cookie_copied_before_logout_is_anonymous_afterwards(app, client):
    # Given a signed-in browser whose session cookie someone copied
    make_user(identifier="0912000555")
    log_in(client, "0912000555")
    thief = app.test_client()
    _copy_cookies(client, thief, "session")
    assert thief.get("/profile").status_code == 200

    # When the owner logs out
    client.post_form("/logout")

    # Then the copy no longer opens the account
    assert thief.get("/profile").status_code == 302


def test_a_remember_me_cookie_copied_before_logout_is_anonymous_afterwards(app, client):
    make_user(identifier="0912000555")
    log_in(client, "0912000555", remember=True)
    thief = app.test_client()
    _copy_cookies(client, thief, "remember_token")
    assert thief.get("/profile").status_code == 200
    thief.delete_cookie("session")

    client.post_form("/logout")

    assert thief.get("/profile").status_code == 302


def test_both_cookies_replayed_together_after_logout_are_anonymous(app, client):
    make_user(identifier="0912000555")
    log_in(client, "0912000555", remember=True)
    thief = app.test_client()
    _copy_cookies(client, thief, "session", "remember_token")

    client.post_form("/logout")

    assert thief.get("/profile").status_code == 302
    assert "0912000555" not in page_text(thief.get("/"))


def test_signing_out_every_other_device_ends_another_browsers_session(app, client):
    # Given the same account signed in on two browsers, one with "remember me"
    user = make_user(identifier="0912000555", full_name="Trần Văn Bình")
    log_in(client, "0912000555")
    phone = app.test_client()
    log_in(phone, "0912000555", remember=True)
    token_before = user.session_token

    # When the first browser signs out every other device from the profile
    response = client.post_form("/profile/sessions/end", follow_redirects=True)

    # Then the phone is signed out (session and remember-me cookie), this browser is not
    assert response.status_code == 200
    assert "Trần Văn Bình" in page_text(client.get("/profile"))
    assert phone.get("/profile").status_code == 302
    fresh = app.test_client()
    _copy_cookies(phone, fresh, "remember_token")
    assert fresh.get("/profile").status_code == 302
    db.session.refresh(user)
    assert user.session_token != token_before


def test_signing_out_every_device_needs_a_token_and_a_session(app, client):
    user = make_user(identifier="0912000555")
    token_before = user.session_token
    assert client.post_form("/profile/sessions/end").status_code == 302  # to the log-in page
    log_in(client, "0912000555")
    before = database_snapshot()

    assert client.post("/profile/sessions/end").status_code == 400

    assert database_snapshot() == before
    db.session.refresh(user)
    assert user.session_token == token_before


def test_the_profile_offers_to_sign_out_every_other_device(client):
    make_user(identifier="0912000555")
    log_in(client, "0912000555")
    page = client.get("/profile").get_data(as_text=True)
    assert 'action="/profile/sessions/end"' in page


def test_a_csrf_token_from_before_login_is_refused_after_login(client):
    # Given a visitor's CSRF token, as a page planted before the visitor signed in would hold
    make_user(identifier="0912000555", full_name="Trần Văn Bình")
    before = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post(
        "/login", data={"identifier": "0912000555", "password": PASSWORD, "csrf_token": before}
    )
    after_login = database_snapshot()

    # When a form is sent with that old token after logging in
    response = client.post(
        "/profile",
        data={
            "csrf_token": before,
            "full_name": "Kẻ Gian",
            "phone": "0912000555",
            "email": "",
            "preferred_language": "vi",
        },
    )

    # Then it is refused and nothing changed
    assert response.status_code == 400
    assert database_snapshot() == after_login
