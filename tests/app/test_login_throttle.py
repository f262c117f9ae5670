"""Wrong passwords slow an attacker down without locking the owner out of their account."""

from __future__ import annotations

import time

from app.extensions import db
from tests.app.factories import PASSWORD, log_in, make_user
from tests.support.snapshots import database_snapshot


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _attack(app, identifier: str, attempts: int) -> list[int]:
    """Wrong passwords for one account, each from an address of its own."""
    return [
        log_in(_from(app, f"203.0.113.{n}"), identifier, "sai-mat-khau").status_code
        for n in range(attempts)
    ]


def test_an_attack_from_many_addresses_does_not_keep_the_owner_out_of_their_device(app):
    # Given a farmer who logged in on their phone before, then logged out
    make_user(identifier="0912000555")
    phone = _from(app, "198.51.100.20")
    assert log_in(phone, "0912000555").status_code == 302
    phone.post_form("/logout")

    # When an attacker tries wrong passwords from twenty addresses
    _attack(app, "0912000555", 20)

    # Then the farmer still logs in from the phone with the right password
    assert log_in(phone, "0912000555").status_code == 302
    assert phone.get("/profile").status_code == 200


def test_the_attacker_is_still_throttled_per_account(app):
    make_user(identifier="0912000555")

    answers = _attack(app, "0912000555", 8)

    assert answers[:5] == [422] * 5
    assert answers[5:] == [429] * 3
    # The right password from a device the account never used waits too.
    assert log_in(_from(app, "192.0.2.99"), "0912000555", PASSWORD).status_code == 429


def test_the_owners_device_still_counts_against_its_own_address(app):
    make_user(identifier="0912000555")
    phone = _from(app, "198.51.100.20")
    log_in(phone, "0912000555")
    phone.post_form("/logout")

    answers = [log_in(phone, "0912000555", "sai-mat-khau").status_code for _ in range(6)]

    assert answers == [422] * 5 + [429]


def test_a_device_known_to_another_account_gets_no_pass(app):
    make_user(identifier="0912000555")
    make_user(identifier="0912000666")
    attacker = _from(app, "198.51.100.20")
    assert log_in(attacker, "0912000666").status_code == 302
    attacker.post_form("/logout")
    _attack(app, "0912000555", 5)

    assert log_in(attacker, "0912000555", "sai-mat-khau").status_code == 429


def test_a_forged_known_device_cookie_gets_no_pass(app):
    user = make_user(identifier="0912000555")
    _attack(app, "0912000555", 5)
    forger = _from(app, "198.51.100.20")
    forger.set_cookie("known_device", f'{{"a": [{user.id}]}}')
    before = database_snapshot()

    assert log_in(forger, "0912000555", PASSWORD).status_code == 429
    assert forger.get("/profile").status_code == 302
    assert database_snapshot() == before


def test_a_password_reset_makes_the_browser_known(app, client):
    # Given an account under attack, whose owner is on a new device
    user = make_user(identifier="binh@example.vn")
    _attack(app, "binh@example.vn", 6)
    from app.auth.tokens import make_reset_token

    token = make_reset_token(user)

    # When the owner chooses a new password through the mailed link
    client.post_form(
        f"/password/reset/{token}",
        {"password": "mat-khau-moi-123", "confirm": "mat-khau-moi-123"},
    )

    # Then this browser may log in despite the attack
    db.session.refresh(user)
    assert log_in(client, "binh@example.vn", "mat-khau-moi-123").status_code == 302


def test_the_wait_grows_as_the_wrong_passwords_go_on(app, monkeypatch):
    # Given short windows in place of "5 per 15 minutes; 10 per hour; 20 per day"
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_LIMIT", "2 per 1 second; 3 per hour")
    make_user(identifier="0912000555")
    assert _attack(app, "0912000555", 3) == [422, 422, 429]

    # When the first wait is over, one more wrong password is taken
    time.sleep(1.1)
    assert _attack(app, "0912000555", 1) == [422]

    # Then the next wait is the longer one
    time.sleep(1.1)
    assert log_in(_from(app, "192.0.2.99"), "0912000555").status_code == 429


def test_a_password_change_forgets_the_devices_known_before(app):
    # Given a farmer who once logged in on the cooperative's shared computer
    make_user(identifier="0912000555")
    shared = _from(app, "198.51.100.20")
    assert log_in(shared, "0912000555").status_code == 302
    shared.post_form("/logout")

    # When the farmer changes the password from their phone, and someone guesses meanwhile
    phone = _from(app, "198.51.100.30")
    assert log_in(phone, "0912000555").status_code == 302
    new = "mat-khau-moi-123"
    changed = phone.post_form(
        "/profile/password", {"current_password": PASSWORD, "password": new, "confirm": new}
    )
    assert changed.status_code == 302
    phone.post_form("/logout")
    _attack(app, "0912000555", 6)

    # Then the shared computer waits like any other browser, and the phone still gets in
    assert log_in(shared, "0912000555", new).status_code == 429
    assert log_in(phone, "0912000555", new).status_code == 302


def test_writing_the_phone_number_another_way_does_not_escape_the_account_limit(app):
    # Given an account attacked under five spellings of its phone number, one per address
    make_user(identifier="0912000555")
    spellings = ["0912000555", "+84912000555", "0912 000 555", "84912000555", "0912.000.555"]
    answers = [
        log_in(_from(app, f"203.0.113.{n}"), spelling, "sai-mat-khau").status_code
        for n, spelling in enumerate(spellings)
    ]
    assert answers == [422] * 5

    # When one more guess comes under yet another spelling, then it waits like the rest
    assert log_in(_from(app, "203.0.113.99"), "+84 912 000 555", "sai-mat-khau").status_code == 429


def test_a_browser_shared_by_six_accounts_remembers_the_five_newest(app):
    # Given one family computer on which six accounts logged in, one after the other
    identifiers = [f"091200055{n}" for n in range(6)]
    family = _from(app, "198.51.100.20")
    for identifier in identifiers:
        make_user(identifier=identifier)
        assert log_in(family, identifier).status_code == 302
        family.post_form("/logout")

    # When both the oldest and the newest account are attacked from elsewhere
    _attack(app, identifiers[0], 5)
    _attack(app, identifiers[-1], 5)

    # Then the computer is still known to the newest account, no longer to the oldest
    assert log_in(family, identifiers[-1]).status_code == 302
    family.post_form("/logout")
    assert log_in(family, identifiers[0]).status_code == 429
