"""Requests at once on PostgreSQL: one code is spent once, and a burst of requests for codes
leaves one live code within the limit."""

import threading
import zlib

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.one_time_codes import (
    CODE_LIMITS,
    CodeRefused,
    CodeStatus,
    OneTimeCode,
    Purpose,
    TooManyCodes,
    issue_code,
    use_code,
)
from app.extensions import db
from tests.app.factories import make_user
from tests.conftest import make_test_app
from tests.support.database import upgrade_schema

REQUESTS = 8
PHONE = "+84912000555"


@pytest.fixture
def committed(request, database_factory, tmp_path):
    """A database of its own with a committed account: each request has its own connection."""
    name = f"code_races_{zlib.crc32(request.node.name.encode())}"  # one database per test
    app = make_test_app(
        database_factory("postgresql", name),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": REQUESTS + 2},
    )
    upgrade_schema(app)
    with app.app_context():
        user_id = make_user(identifier="0912000555").id
        db.session.commit()
    yield app, user_id
    with app.app_context():
        db.engine.dispose()


def _at_once(app, user_id: int, action) -> list[str]:
    """`action(user)` in REQUESTS threads released together, each committing its outcome."""
    start = threading.Barrier(REQUESTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run():
        with app.app_context():
            start.wait()
            try:
                outcome = action(db.session.get(User, user_id))
                db.session.commit()
            except (CodeRefused, TooManyCodes) as refused:
                db.session.rollback()
                outcome = type(refused).__name__
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_eight_requests_with_one_code_spend_it_once(committed):
    app, user_id = committed
    with app.app_context():
        code = issue_code(db.session.get(User, user_id), Purpose.PASSWORD_RESET, PHONE, "zalo")
        db.session.commit()

    outcomes = _at_once(
        app,
        user_id,
        lambda user: use_code(user, Purpose.PASSWORD_RESET, code, destination=PHONE) and "spent",
    )

    assert outcomes.count("spent") == 1
    assert outcomes.count("CodeRefused") == REQUESTS - 1


def test_eight_requests_for_a_code_at_once_leave_one_live_code_within_the_limit(committed):
    app, user_id = committed

    outcomes = _at_once(
        app, user_id, lambda user: issue_code(user, Purpose.PASSWORD_RESET, PHONE, "sms") and "sent"
    )

    burst_limit = CODE_LIMITS[0][0]
    assert outcomes.count("sent") == burst_limit
    with app.app_context():
        statuses = db.session.scalars(select(OneTimeCode.status)).all()
        assert len(statuses) == burst_limit
        assert statuses.count(CodeStatus.LIVE) == 1
        assert db.session.scalar(select(func.count(OneTimeCode.id))) == burst_limit
