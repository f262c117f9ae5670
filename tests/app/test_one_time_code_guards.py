"""The guards of one-time codes that a mutation run found untested: whose code a wrong try
counts against, what the send limits count, the code's range, the look-back window, the
spend's compare-and-set after a stale read, and what a refusal tells the form."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from app.auth import one_time_codes
from app.auth.one_time_codes import (
    DEAD,
    EXPIRED,
    MAX_WRONG_TRIES,
    REPLACED,
    USED,
    WRONG,
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
from tests.support.snapshots import database_snapshot

RESET = Purpose.PASSWORD_RESET
PHONE = Purpose.VERIFY_PHONE
CODES = OneTimeCode.__table__


@pytest.fixture
def farmer(app):
    return make_user(identifier="0912000555")


@pytest.fixture
def neighbour(app):
    return make_user(identifier="0912000777")


def _issue(user, now=None, purpose=RESET, destination=None):
    return issue_code(user, purpose, destination or user.phone, "sms", now=now)


def _refused(user, code, purpose=RESET, destination=None, now=None) -> CodeRefused:
    db.session.expire_all()  # as a new request would read it
    with pytest.raises(CodeRefused) as refused:
        use_code(user, purpose, code, destination=destination or user.phone, now=now)
    return refused.value


def _row(code_id) -> OneTimeCode:
    db.session.expire_all()
    return db.session.get(OneTimeCode, code_id)


def _only_row(user, purpose=RESET) -> OneTimeCode:
    db.session.expire_all()
    return db.session.scalars(
        select(OneTimeCode).where(
            OneTimeCode.user_id == user.id,
            OneTimeCode.purpose == purpose.value,
            OneTimeCode.status == CodeStatus.LIVE,
        )
    ).one()


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _codes_of(user):
    db.session.flush()
    return [
        dict(row)
        for row in db.session.execute(
            select(CODES).where(CODES.c.user_id == user.id).order_by(CODES.c.id)
        ).mappings()
    ]


# A wrong try counts only against the account's own live code of that purpose.


def test_a_wrong_try_does_not_count_against_another_accounts_code(farmer, neighbour):
    # Given two accounts, each with a live reset code
    code = _issue(farmer)
    _issue(neighbour)
    neighbours_codes = _codes_of(neighbour)

    # When the farmer types a wrong code
    assert _refused(farmer, _wrong(code)).reason == "wrong"

    # Then only the farmer's code took the try
    assert _only_row(farmer).wrong_tries == 1
    assert _codes_of(neighbour) == neighbours_codes


def test_a_wrong_try_does_not_count_against_a_code_for_another_purpose(farmer):
    # Given a reset code and a phone-confirmation code
    code = _issue(farmer)
    _issue(farmer, purpose=PHONE)

    # When a wrong reset code is typed
    _refused(farmer, _wrong(code))

    # Then the phone code took no try
    assert _only_row(farmer).wrong_tries == 1
    assert _only_row(farmer, PHONE).wrong_tries == 0


def test_a_wrong_try_leaves_used_and_replaced_codes_as_they_are(farmer):
    # Given a used code, and a replaced one under a live one
    used = _issue(farmer)
    use_code(farmer, RESET, used, destination=farmer.phone)
    replaced = _issue(farmer)
    live = _issue(farmer)
    settled = [row for row in _codes_of(farmer) if row["status"] != "live"]

    # When a wrong code is typed
    typed = next(
        c for c in ("000000", "000001", "000002", "000003") if c not in (used, replaced, live)
    )
    _refused(farmer, typed)

    # Then the used and replaced rows did not change (nor come back to life)
    assert [row for row in _codes_of(farmer) if row["status"] != "live"] == settled
    assert _only_row(farmer).wrong_tries == 1


# The send limits: per account OR per destination, inside the window.


def test_the_limits_count_an_accounts_codes_to_any_destination(farmer):
    # Given three codes sent to three different addresses within 15 minutes
    now = utcnow()
    for n in range(3):
        _issue(farmer, now=now, purpose=Purpose.VERIFY_EMAIL, destination=f"m{n}@example.com")
    before = database_snapshot()

    # When a fourth is asked for, to yet another address
    with pytest.raises(TooManyCodes):
        _issue(farmer, now=now, purpose=Purpose.VERIFY_EMAIL, destination="m9@example.com")

    # Then nothing was sent or changed
    assert database_snapshot() == before


def test_another_accounts_codes_to_other_destinations_do_not_count(farmer, neighbour):
    # Given a neighbour who had three codes to their own number
    now = utcnow()
    for _ in range(3):
        _issue(neighbour, now=now)

    # When the farmer asks for a code
    code = _issue(farmer, now=now)

    # Then it is sent
    assert use_code(farmer, RESET, code, destination=farmer.phone, now=now).status == "used"


def test_a_code_sent_exactly_a_window_ago_no_longer_counts(farmer):
    # Given three codes sent at the same moment
    start = utcnow()
    for _ in range(3):
        _issue(farmer, now=start)

    # When exactly 15 minutes have passed
    code = _issue(farmer, now=start + timedelta(minutes=15))

    # Then a new code is sent
    assert len(code) == 6


def test_a_code_counts_from_when_it_was_sent_not_when_it_was_stored(farmer):
    # Given three codes sent an hour ago (as the caller's clock says)
    now = utcnow()
    for _ in range(3):
        _issue(farmer, now=now - timedelta(hours=1))

    # When a code is asked for now
    _issue(farmer, now=now)

    # Then it was sent, and each row keeps the time it was sent
    sent = [row.created_at for row in _issue_rows(farmer)]
    assert sent == [now - timedelta(hours=1)] * 3 + [now]


def _issue_rows(user):
    db.session.expire_all()
    return db.session.scalars(
        select(OneTimeCode).where(OneTimeCode.user_id == user.id).order_by(OneTimeCode.id)
    ).all()


def test_issuing_a_code_first_locks_the_accounts_row(farmer, neighbour):
    # Given a listener on the statements sent to the database
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        # When a code is issued
        _issue(farmer)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    # Then the first statement reads the account's own row (FOR UPDATE on PostgreSQL),
    # so that two requests of one account are counted one after the other
    statement, parameters = seen[0]
    flat = " ".join(statement.split()).lower()
    assert flat.startswith("select user_account.id from user_account where user_account.id =")
    values = parameters.values() if isinstance(parameters, dict) else parameters
    assert list(values) == [farmer.id]
    if engine.dialect.name == "postgresql":
        assert flat.endswith("for update")


# The code itself.


def test_codes_are_drawn_from_the_whole_million(farmer, monkeypatch):
    # Given a random source that gives the highest value it is allowed to
    asked = []

    def highest(bound):
        asked.append(bound)
        return bound - 1

    monkeypatch.setattr(secrets, "randbelow", highest)

    # When a code is issued
    code = _issue(farmer)

    # Then it is 999999: every six-digit code can be drawn
    assert asked == [10**6] and code == "999999"


def test_the_salt_fits_its_column(farmer):
    # PostgreSQL refuses a longer value; SQLite would store it silently.
    _issue(farmer)
    assert len(_only_row(farmer).salt) == CODES.c.salt.type.length


def test_a_new_code_leaves_another_accounts_live_code_alive(farmer, neighbour):
    # Given a neighbour's live reset code
    code = _issue(neighbour)

    # When the farmer gets a reset code
    _issue(farmer)

    # Then the neighbour's code still works
    assert use_code(neighbour, RESET, code, destination=neighbour.phone).status == "used"


def test_a_code_of_another_account_is_never_usable(farmer, neighbour):
    # Given the farmer's live code, sent to the farmer's number
    code = _issue(farmer)
    before = database_snapshot()

    # When the neighbour types it, even claiming the farmer's number
    refusal = _refused(neighbour, code, destination=farmer.phone)

    # Then it is a wrong code and nothing changed (the neighbour has no live code to count)
    assert refusal.reason == "wrong"
    assert database_snapshot() == before


def test_when_two_codes_are_equal_the_latest_one_is_the_one_typed(farmer, monkeypatch):
    # Given the same digits drawn twice, the second request's clock a second behind
    monkeypatch.setattr(secrets, "randbelow", lambda bound: 123456)
    now = utcnow()
    _issue(farmer, now=now)
    _issue(farmer, now=now - timedelta(seconds=1))

    # When the code is typed
    row = use_code(farmer, RESET, "123456", destination=farmer.phone, now=now)

    # Then the live (latest) code is spent, not the replaced one refused
    assert row.status == "used" and row.id == max(r.id for r in _issue_rows(farmer))


# The one-day look-back.


@pytest.mark.parametrize("age", [timedelta(days=1), timedelta(hours=36)])
def test_a_code_older_than_a_day_is_simply_wrong(farmer, age):
    # Given a code sent a day or more ago
    now = utcnow()
    code = _issue(farmer, now=now - age)

    # When it is typed
    refusal = _refused(farmer, code, now=now)

    # Then it is not even looked at: a wrong code, counted against the (expired) live code
    assert refusal.reason == "wrong" and refusal.message == WRONG


# The spend's compare-and-set after a stale read.


def _changed_between_read_and_spend(monkeypatch, **values):
    """Another request changes the code after this one read it (a Core update: this
    request's loaded row keeps what it read)."""
    matching = one_time_codes._matching
    left = []

    def changed_meanwhile(rows, typed):
        row = matching(rows, typed)
        db.session.execute(update(CODES).where(CODES.c.id == row.id).values(**values))
        left.append(database_snapshot())
        return row

    monkeypatch.setattr(one_time_codes, "_matching", changed_meanwhile)
    return left


@pytest.mark.parametrize(
    "meanwhile",
    [
        {"status": CodeStatus.USED.value},
        {"status": CodeStatus.REPLACED.value},
        {"status": CodeStatus.DEAD.value},
        {"wrong_tries": MAX_WRONG_TRIES},
        {"expires_at": "now"},
    ],
    ids=["used", "replaced", "dead", "five-wrong-tries", "expired"],
)
def test_a_stale_read_never_spends_a_code_that_changed_meanwhile(farmer, monkeypatch, meanwhile):
    # Given a code that another request changes between this one's read and its spend
    now = utcnow()
    code = _issue(farmer, now=now - timedelta(minutes=1))
    values = {k: (now if v == "now" else v) for k, v in meanwhile.items()}
    left_by_the_other_request = _changed_between_read_and_spend(monkeypatch, **values)

    # When it is typed
    with pytest.raises(CodeRefused) as refused:
        use_code(farmer, RESET, code, destination=farmer.phone, now=now)
    assert database_snapshot() == left_by_the_other_request[0]
    (row,) = _codes_of(farmer)

    # Then it is refused as used, on the code field, and the row is as the other request left it
    assert refused.value.reason == "used" and refused.value.message == USED
    assert refused.value.field == "code"
    assert row["status"] == values.get("status", "live") and row["used_at"] is None


# What a refusal tells the form.


def test_each_refusal_names_its_reason_and_message_on_the_code_field(farmer):
    now = utcnow()
    # used
    used = _issue(farmer, now=now - timedelta(minutes=40))
    use_code(farmer, RESET, used, destination=farmer.phone, now=now - timedelta(minutes=39))
    # replaced
    replaced = _issue(farmer, now=now - timedelta(minutes=30), purpose=PHONE)
    _issue(farmer, now=now - timedelta(minutes=20), purpose=PHONE)
    # expired
    expired = _issue(farmer, now=now - timedelta(minutes=11), purpose=Purpose.VERIFY_EMAIL)
    before = database_snapshot()

    refusals = [
        _refused(farmer, used, now=now),
        _refused(farmer, replaced, purpose=PHONE, now=now),
        _refused(farmer, expired, purpose=Purpose.VERIFY_EMAIL, now=now),
    ]

    got = [(r.reason, str(r.message), r.field) for r in refusals]
    assert got == [
        ("used", str(USED), "code"),
        ("replaced", str(REPLACED), "code"),
        ("expired", str(EXPIRED), "code"),
    ]
    assert database_snapshot() == before


def test_a_dead_code_is_named_dead_on_the_code_field(farmer):
    code = _issue(farmer)
    for _ in range(MAX_WRONG_TRIES):
        _refused(farmer, _wrong(code))
    before = database_snapshot()

    refusal = _refused(farmer, code)

    assert (refusal.reason, str(refusal.message), refusal.field) == ("dead", str(DEAD), "code")
    assert database_snapshot() == before
