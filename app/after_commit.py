"""Work that must wait until the transaction is saved: mails, messages, webhooks.

`after_commit(fn, *args)` queues a call on the current database session (Saleor's
`transaction.on_commit`). The calls run in order once the session's transaction commits; a
rollback (of the transaction, or of the savepoint they were queued in) or a session closed
without committing drops them, so nothing announces a change that was not kept. A call that
fails is logged and the others still run: the change is already committed and stays so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

log = logging.getLogger(__name__)

#: session.info keys: whether the listeners are installed, the queue, and the calls whose
#: transaction committed and that run once it has ended.
_LISTENING = "after_commit.listening"
_QUEUE = "after_commit.queue"
_DUE = "after_commit.due"

Queued = tuple[SessionTransaction | None, Callable[..., Any], tuple, dict]


def after_commit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call fn(*args, **kwargs) after the current transaction of `db.session` commits."""
    session = db.session()
    _listen(session)
    # With no transaction open yet, begin one: a call tagged with none would survive a
    # close() and run on some later, unrelated commit.
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_QUEUE, []).append((transaction, fn, args, kwargs))


def _listen(session: Session) -> None:
    if session.info.get(_LISTENING):
        return
    event.listen(session, "after_commit", _committed)
    event.listen(session, "after_soft_rollback", _rolled_back)
    event.listen(session, "after_transaction_end", _ended)
    session.info[_LISTENING] = True


def _committed(session: Session) -> None:
    # Also fired when a savepoint is released: its calls wait for the outer transaction.
    if session.in_nested_transaction():
        return
    session.info[_DUE] = session.info.pop(_QUEUE, [])


def _rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    """Drop what was queued inside the transaction or savepoint that was rolled back."""
    queue: list[Queued] = session.info.get(_QUEUE, [])
    queue[:] = [item for item in queue if not _within(item[0], rolled_back)]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    if outer.parent is None:  # the whole transaction: everything goes
        return True
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # The calls run here rather than in after_commit, where the session may not load
    # anything: once the transaction has ended, a call may read (in a new transaction).
    if transaction.parent is not None:
        return
    due: list[Queued] = session.info.pop(_DUE, [])
    session.info.pop(_QUEUE, None)  # ended without a commit (closed): never to run
    for _, fn, args, kwargs in due:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("After-commit call %s failed", getattr(fn, "__qualname__", fn))
