"""One-time codes: kept only as a keyed hash, ten minutes, once, five tries, limited per
account and destination, replaced by a newer one, spent by compare-and-set."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.auth import one_time_codes
from app.auth.one_time_codes import (
    CodeRefused,
    CodeStatus,
    OneTimeCode,
    Purpose,
    TooManyCodes,
    issue_code,
    use_code,
)
from app.db import utcnow
from app.extensions import db
from tests.app.factories import make_user

RESET = Purpose.PASSWORD_RESET


@pytest.fixture
def farmer(app):
    return make_user(identifier="0912000555")


def _issue(user, now=None, purpose=RESET):
    return issue_code(user, purpose, user.phone, "zalo", now=now)


def _use(user, code, now=None, purpose=RESET):
    return use_code(user, purpose, code, destination=user.phone, now=now)


def _rows(user) -> list[OneTimeCode]:
    db.session.expire_all()
    return list(db.session.scalars(select(OneTimeCode).where(OneTimeCode.user_id == user.id)))


def _refusal(user, code, **kw) -> str:
    with pytest.raises(CodeRefused) as refused:
        _use(user, code, **kw)
    return refused.value.reason


def _other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_six_digits_and_stored_only_as_a_keyed_hash(farmer):
    code = _issue(farmer)

    (row,) = _rows(farmer)
    assert len(code) == 6 and code.isdigit()
    stored = db.session.execute(select(OneTimeCode.__table__)).one()
    assert code not in " ".join(str(value) for value in stored)
    assert len(row.code_hash) == 64 and row.salt
    # The hash depends on the application's secret: a copy of the database alone cannot
    # test the million possible codes.
    assert row.code_hash == one_time_codes._hash(row.salt, RESET.value, code)


def test_the_right_code_is_spent_once(farmer):
    code = _issue(farmer)

    row = _use(farmer, code)

    assert row.status == CodeStatus.USED and row.used_at is not None
    assert _refusal(farmer, code) == "used"


def test_spaces_in_a_typed_code_do_not_matter(farmer):
    code = _issue(farmer)
    assert _use(farmer, f" {code[:3]} {code[3:]} ").status == CodeStatus.USED


def test_a_code_expires_after_ten_minutes(farmer):
    now = utcnow()
    code = _issue(farmer, now=now)

    assert _refusal(farmer, code, now=now + timedelta(minutes=10)) == "expired"
    assert _use(farmer, code, now=now + timedelta(minutes=9, seconds=59)).status == "used"


def test_five_wrong_tries_kill_the_code_even_for_the_right_one(farmer):
    code = _issue(farmer)
    wrong = _other_code(code)
    for _ in range(4):
        assert _refusal(farmer, wrong) == "wrong"
    assert _rows(farmer)[0].wrong_tries == 4 and _rows(farmer)[0].status == "live"

    assert _refusal(farmer, wrong) == "wrong"

    assert _rows(farmer)[0].status == CodeStatus.DEAD
    assert _refusal(farmer, code) == "dead"


def test_a_new_code_replaces_the_earlier_one(farmer):
    first = _issue(farmer)
    second = _issue(farmer)
    if first == second:  # one chance in a million: ask once more
        second = _issue(farmer)

    assert _refusal(farmer, first) == "replaced"
    assert _use(farmer, second).status == CodeStatus.USED
    assert [row.status for row in _rows(farmer)].count("live") == 0


def test_codes_are_per_purpose(farmer):
    reset_code = _issue(farmer)
    phone_code = _issue(farmer, purpose=Purpose.VERIFY_PHONE)

    assert _refusal(farmer, reset_code, purpose=Purpose.VERIFY_PHONE) == "wrong"
    assert _use(farmer, phone_code, purpose=Purpose.VERIFY_PHONE).status == "used"
    assert _use(farmer, reset_code).status == "used"


def test_a_code_sent_to_an_earlier_number_proves_nothing(farmer):
    code = _issue(farmer)
    with pytest.raises(CodeRefused):
        use_code(farmer, RESET, code, destination="+84912000666")


def test_at_most_three_codes_in_fifteen_minutes(farmer):
    now = utcnow()
    for minute in range(3):
        _issue(farmer, now=now + timedelta(minutes=minute))

    with pytest.raises(TooManyCodes):
        _issue(farmer, now=now + timedelta(minutes=14))
    assert len(_rows(farmer)) == 3
    _issue(farmer, now=now + timedelta(minutes=15, seconds=1))


def test_at_most_ten_codes_a_day(farmer):
    start = utcnow()
    for hour in range(10):
        _issue(farmer, now=start + timedelta(hours=hour))

    with pytest.raises(TooManyCodes):
        _issue(farmer, now=start + timedelta(hours=23))
    _issue(farmer, now=start + timedelta(hours=24, seconds=1))


def test_the_limits_count_codes_to_a_destination_across_accounts(farmer):
    other = make_user()
    now = utcnow()
    for _ in range(3):
        issue_code(other, Purpose.VERIFY_PHONE, farmer.phone, "sms", now=now)

    with pytest.raises(TooManyCodes):
        _issue(farmer, now=now)


def test_two_requests_cannot_both_spend_one_code(farmer, monkeypatch):
    # Given a code that another request spends between this one's read and its update
    code = _issue(farmer)
    matching = one_time_codes._matching

    def spent_meanwhile(rows, typed):
        row = matching(rows, typed)
        db.session.execute(
            update(OneTimeCode).where(OneTimeCode.id == row.id).values(status=CodeStatus.USED)
        )
        return row

    monkeypatch.setattr(one_time_codes, "_matching", spent_meanwhile)

    # Then this request is refused: the compare-and-set found no live code
    assert _refusal(farmer, code) == "used"


def test_the_database_keeps_one_live_code_per_account_and_purpose(farmer):
    _issue(farmer)
    (row,) = _rows(farmer)
    twin = OneTimeCode(
        user_id=farmer.id,
        purpose=RESET.value,
        destination=farmer.phone,
        channel="sms",
        salt="x",
        code_hash="y" * 64,
        expires_at=row.expires_at,
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(twin)
        db.session.flush()


def test_a_code_that_lost_the_race_to_be_created_is_refused(farmer, monkeypatch):
    # Given another request whose live code appears after this one retired the earlier ones
    original_add = db.session.add

    def racing_add(row):
        if isinstance(row, OneTimeCode):
            original_add(
                OneTimeCode(
                    user_id=farmer.id,
                    purpose=RESET.value,
                    destination=farmer.phone,
                    channel="sms",
                    salt="x",
                    code_hash="y" * 64,
                    expires_at=utcnow() + timedelta(minutes=10),
                )
            )
            db.session.flush()
        original_add(row)

    monkeypatch.setattr(db.session, "add", racing_add)
    with pytest.raises(TooManyCodes):
        _issue(farmer)
