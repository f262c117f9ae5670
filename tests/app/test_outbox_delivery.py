"""The outbox: a message exists exactly when its change does, is sent once after the commit,
and a failing provider is retried with a growing wait until it is given up for operators."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.jobs import huey
from app.messaging import Channel, OutboundMessage, queue_mail, queue_message
from app.messaging.delivery import backoff, claim, deliver, due_message_ids, retry_now
from app.messaging.jobs import enqueue_due_messages
from app.messaging.providers import DeliveryError
from tests.app.factories import make_user


def _messages() -> list[OutboundMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


@pytest.fixture
def failing_mail(app, monkeypatch):
    """The e-mail provider answers with the errors in `errors` (then succeeds)."""
    errors: list[Exception] = []
    sent: list[str] = []

    def send(provider, message):
        if errors:
            raise errors.pop(0)
        sent.append(message.recipient)

    monkeypatch.setattr("app.messaging.email.EmailProvider.send", send)
    return errors, sent


def test_a_queued_message_is_sent_after_the_commit_and_recorded(app, outbox):
    # Given a mail queued in a transaction
    queue_mail("lan@example.vn", "Đơn NS000001", "Xin chào", kind="order_placed")
    db.session.flush()
    # Then nothing has gone before the commit
    assert outbox == []
    assert [m.status for m in _messages()] == ["queued"]

    # When the transaction commits, then the worker's job sends it once and records how
    db.session.commit()
    assert [m["To"] for m in outbox] == ["lan@example.vn"]
    [message] = _messages()
    assert (message.status, message.attempts, message.provider) == ("sent", 1, "smtp")
    assert message.sent_at is not None and message.last_error is None


def test_a_rolled_back_change_leaves_neither_message_nor_job(app, outbox):
    queue_mail("lan@example.vn", "Đơn NS000001", "Xin chào", kind="order_placed")
    db.session.rollback()
    db.session.commit()
    assert outbox == []
    assert _messages() == []
    assert huey.pending_count() == 0


def test_zalo_and_sms_go_to_the_outbox_when_no_provider_is_configured(app):
    queue_message(Channel.ZALO, "+84912000111", "Đơn mới", kind="farm_new_order", params={"n": "1"})
    queue_message(Channel.SMS, "+84912000111", "Đơn mới", kind="farm_new_order")
    db.session.commit()
    assert [(m.channel, m.status, m.provider) for m in _messages()] == [
        ("zalo", "sent", "outbox"),
        ("sms", "sent", "outbox"),
    ]


def test_a_failed_attempt_waits_longer_each_time_then_is_given_up(app, failing_mail, monkeypatch):
    # Given a provider that keeps failing, and three attempts allowed
    errors, sent = failing_mail
    errors.extend(DeliveryError("451 try later") for _ in range(3))
    monkeypatch.setitem(app.config, "MESSAGE_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "MESSAGE_RETRY_BASE_SECONDS", 60)
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()  # first attempt, at once

    # Then it waits one minute, then two, and after the third failure it is given up
    [row] = _messages()
    assert (row.status, row.attempts, row.last_error) == ("retrying", 1, "451 try later")
    first_wait = row.next_attempt_at - row.claimed_at
    assert first_wait == timedelta(minutes=1)
    assert deliver(message.id, now=row.claimed_at + timedelta(seconds=59)) is None  # not due

    assert deliver(message.id, now=row.next_attempt_at) == "retrying"
    [row] = _messages()
    assert row.next_attempt_at - row.claimed_at == timedelta(minutes=2)

    assert deliver(message.id, now=row.next_attempt_at) == "failed"
    [row] = _messages()
    assert (row.status, row.attempts) == ("failed", 3)
    assert sent == []
    # A failed message is nobody's to send any more
    assert deliver(message.id, now=row.next_attempt_at + timedelta(days=1)) is None


def test_a_permanent_refusal_is_given_up_at_once(app, failing_mail):
    errors, _ = failing_mail
    errors.append(DeliveryError("550 no such mailbox", permanent=True))
    queue_mail("nobody@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    [row] = _messages()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "550 no such mailbox")


def test_a_provider_bug_is_retried_not_lost(app, failing_mail):
    errors, sent = failing_mail
    errors.append(KeyError("template"))
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    [row] = _messages()
    assert row.status == "retrying"
    assert deliver(message.id, now=row.next_attempt_at) == "sent"
    assert sent == ["lan@example.vn"]


def test_backoff_doubles_and_stops_at_six_hours(app):
    with app.test_request_context():
        assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
        assert backoff(30) == timedelta(hours=6)


def test_only_one_claim_wins(app, monkeypatch):
    # Given a message whose job has not run yet
    monkeypatch.setattr(huey, "immediate", False)
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    now = utcnow()

    # When two workers try to claim it, then only the first one gets it
    assert claim(message.id, now) is True
    assert claim(message.id, now) is False
    [row] = _messages()
    assert (row.status, row.attempts) == ("sending", 1)


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over_after_the_lease(app, monkeypatch):
    monkeypatch.setattr(huey, "immediate", False)
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    claimed_at = utcnow()
    assert claim(message.id, claimed_at)

    lease = timedelta(seconds=app.config["MESSAGE_LEASE_SECONDS"])
    assert due_message_ids(claimed_at + lease - timedelta(seconds=1)) == []
    assert due_message_ids(claimed_at + lease + timedelta(seconds=1)) == [message.id]
    assert deliver(message.id, now=claimed_at + lease + timedelta(seconds=1)) == "sent"
    assert _messages()[0].attempts == 2


def test_the_sweeper_sends_queued_messages_whose_job_was_lost(app, outbox, monkeypatch):
    # Given a message whose job never ran (the queue was lost)
    monkeypatch.setattr(huey, "immediate", False)
    queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    huey.flush()
    monkeypatch.setattr(huey, "immediate", True)

    # When the sweeper runs within the grace period, then it leaves it to its job
    assert enqueue_due_messages() == 0
    # and once the grace period is over it sends it
    assert enqueue_due_messages(grace=timedelta(0)) == 1
    assert [m["To"] for m in outbox] == ["lan@example.vn"]
    assert enqueue_due_messages(grace=timedelta(0)) == 0


def test_an_operator_retry_reopens_a_failed_message_with_new_attempts(app, failing_mail):
    errors, sent = failing_mail
    errors.append(DeliveryError("bad", permanent=True))
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()

    assert retry_now(message) is True
    db.session.commit()
    assert (message.status, message.attempts) == ("retrying", 0)
    assert deliver(message.id) == "sent"
    assert sent == ["lan@example.vn"]
    # A sent message cannot be reopened
    assert retry_now(message) is False


def test_a_message_names_the_account_it_was_sent_to(app):
    user = make_user(email="lan@example.vn")
    queue_mail(user.email, "S", "B", kind="order_paid", user_id=user.id)
    db.session.commit()
    assert _messages()[0].user_id == user.id


def test_a_worker_stalled_past_the_lease_does_not_overwrite_the_one_that_took_over(
    app, monkeypatch
):
    # Given a first worker whose provider call hangs past the lease, during which a second
    # worker takes the message over and sends it
    lease = timedelta(seconds=app.config["MESSAGE_LEASE_SECONDS"])

    calls = []

    def slow_then_fails(provider, sending):
        calls.append(sending.id)
        if len(calls) == 1:  # the first worker, stalled: meanwhile the second one sends it
            assert deliver(sending.id, now=first_claim + lease + timedelta(seconds=1)) == "sent"
            raise DeliveryError("timed out")

    monkeypatch.setattr(huey, "immediate", False)
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    first_claim = utcnow()
    monkeypatch.setattr("app.messaging.email.EmailProvider.send", slow_then_fails)

    # When the first worker's provider finally answers with a failure
    first = deliver(message.id, now=first_claim)

    # Then the message stays sent, as the second worker recorded it
    assert first is None
    [row] = _messages()
    assert (row.status, row.attempts) == ("sent", 2)


# What the mutation run found untested ------------------------------------------------------


def test_a_claim_is_taken_over_only_after_the_whole_lease(app, monkeypatch):
    monkeypatch.setattr(huey, "immediate", False)
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    claimed_at = utcnow()
    assert claim(message.id, claimed_at)
    lease = timedelta(seconds=app.config["MESSAGE_LEASE_SECONDS"])
    assert due_message_ids(claimed_at + lease) == []
    assert claim(message.id, claimed_at + lease) is False


def test_giving_up_and_a_provider_bug_are_logged_with_the_message(app, failing_mail, caplog):
    errors, _ = failing_mail
    errors.append(KeyError("template"))
    errors.append(DeliveryError("550 no such mailbox", permanent=True))
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    [row] = _messages()
    assert row.last_error == "KeyError: 'template'"
    assert f"Provider smtp failed on message {message.id}" in caplog.text

    deliver(message.id, now=row.next_attempt_at)
    assert f"Message {message.id} given up after 2 attempt(s): 550 no such mailbox" in caplog.text


def test_a_long_error_is_cut_to_its_column(app, failing_mail):
    errors, _ = failing_mail
    errors.extend([DeliveryError("x" * 600), DeliveryError("y" * 600, permanent=True)])
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    [row] = _messages()
    assert row.last_error == "x" * 500
    deliver(message.id, now=row.next_attempt_at)
    assert _messages()[0].last_error == "y" * 500


def test_a_message_sent_after_a_failure_forgets_the_error(app, failing_mail):
    errors, _ = failing_mail
    errors.append(DeliveryError("451 try later"))
    message = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    assert deliver(message.id, now=_messages()[0].next_attempt_at) == "sent"
    assert _messages()[0].last_error is None


def test_one_delivery_records_its_own_message_only(app, monkeypatch):
    # Given two messages, the first claimed by a worker at the very instant the second is
    monkeypatch.setattr(huey, "immediate", False)
    first = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    second = queue_mail("mai@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    now = utcnow()
    assert claim(first.id, now)

    # When the second is delivered, then the first is still its worker's
    assert deliver(second.id, now=now) == "sent"
    assert [m.status for m in _messages()] == ["sending", "sent"]


def test_the_sweeper_takes_a_bounded_batch_oldest_first(app, monkeypatch):
    monkeypatch.setattr(huey, "immediate", False)
    ids = [queue_mail(f"n{n}@example.vn", "S", "B", kind="order_paid").id for n in range(3)]
    db.session.commit()
    later = utcnow() + timedelta(minutes=5)
    assert due_message_ids(later) == ids
    monkeypatch.setattr("app.messaging.delivery.SWEEP_BATCH", 2)
    assert due_message_ids(later) == ids[:2]


def test_an_operator_retry_makes_a_waiting_message_due_now_and_touches_no_other(app, failing_mail):
    # Given two messages waiting for their next attempt, minutes away
    errors, sent = failing_mail
    errors.extend([DeliveryError("451"), DeliveryError("451")])
    first = queue_mail("lan@example.vn", "S", "B", kind="order_paid")
    second = queue_mail("mai@example.vn", "S", "B", kind="order_paid")
    db.session.commit()
    assert [m.status for m in _messages()] == ["retrying", "retrying"]

    # When the operator tries the first again, then it goes now, and the second still waits
    assert retry_now(first) is True
    db.session.commit()
    assert deliver(first.id) == "sent"
    assert deliver(second.id) is None
    assert [m.status for m in _messages()] == ["sent", "retrying"]
