"""Calls queued with after_commit run once the transaction is saved, never for a rollback.

The tests' own transaction is a savepoint on an outer transaction (tests/support/database.py);
the session's commit is still a commit for the hook, so the tests see what a request would.
"""

import pytest
from sqlalchemy import select

from app.after_commit import after_commit
from app.auth.models import User
from app.extensions import db
from tests.app.factories import make_user


@pytest.fixture
def calls(app) -> list:
    return []


def test_a_queued_call_runs_once_after_the_commit_not_before(calls):
    # Given a change and a call queued in its transaction
    make_user(full_name="Lê Minh Anh")
    after_commit(calls.append, "mail")
    db.session.flush()
    assert calls == []

    # When the transaction commits, then the call runs, once
    db.session.commit()
    assert calls == ["mail"]
    db.session.commit()
    assert calls == ["mail"]


def test_queued_calls_run_in_order_with_their_arguments(calls):
    after_commit(calls.append, "first")
    after_commit(lambda *args, **kwargs: calls.append((args, kwargs)), 1, 2, to="anh")
    db.session.commit()
    assert calls == ["first", ((1, 2), {"to": "anh"})]


def test_a_rollback_drops_the_queued_calls(calls):
    make_user(full_name="Lê Minh Anh")
    after_commit(calls.append, "mail")

    db.session.rollback()
    db.session.commit()

    assert calls == []


def test_a_session_closed_without_a_commit_drops_the_queued_calls(calls):
    make_user(full_name="Lê Minh Anh")
    after_commit(calls.append, "mail")

    db.session.close()
    db.session.commit()

    assert calls == []


def test_a_released_savepoint_waits_for_the_outer_commit(calls):
    with db.session.begin_nested():
        after_commit(calls.append, "inside")
    assert calls == []

    db.session.commit()

    assert calls == ["inside"]


def test_a_released_savepoint_is_dropped_with_the_outer_rollback(calls):
    with db.session.begin_nested():
        after_commit(calls.append, "inside")

    db.session.rollback()
    db.session.commit()

    assert calls == []


def test_a_rolled_back_savepoint_drops_only_its_own_calls(calls):
    after_commit(calls.append, "before")
    savepoint = db.session.begin_nested()
    after_commit(calls.append, "inside")
    savepoint.rollback()
    after_commit(calls.append, "after")

    db.session.commit()

    assert calls == ["before", "after"]


def test_a_call_may_read_what_was_just_committed(calls):
    user = make_user(full_name="Lê Minh Anh")
    user_id = user.id

    # Queries and expired attributes load in a new transaction once the commit has ended.
    def read():
        calls.append(db.session.scalar(select(User.full_name).where(User.id == user_id)))
        calls.append(user.full_name)

    after_commit(read)
    db.session.commit()

    assert calls == ["Lê Minh Anh", "Lê Minh Anh"]


def test_a_failing_call_is_logged_and_neither_stops_the_others_nor_undoes_the_change(calls, caplog):
    def mail_server_down():
        raise ConnectionRefusedError("mail server down")

    user_id = make_user(full_name="Lê Minh Anh").id
    after_commit(mail_server_down)
    after_commit(calls.append, "next")

    db.session.commit()
    db.session.rollback()  # what the request does next cannot undo the commit

    assert calls == ["next"]
    assert "After-commit call" in caplog.text and "mail server down" in caplog.text
    assert db.session.scalar(select(User.full_name).where(User.id == user_id)) == "Lê Minh Anh"


def test_calls_queued_by_a_call_wait_for_the_next_commit(calls):
    after_commit(lambda: after_commit(calls.append, "later"))
    db.session.commit()
    assert calls == []
    db.session.commit()
    assert calls == ["later"]
