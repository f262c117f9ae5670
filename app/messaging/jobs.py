"""The background jobs that move the outbox: one delivery attempt, and the sweeper."""

from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from app.extensions import db
from app.jobs import crontab, job, periodic_job
from app.messaging.delivery import deliver, due_message_ids
from app.messaging.models import MessageStatus, OutboundMessage

#: A queued message older than this is assumed to have lost its job (the worker restarted
#: with the queue in memory, or Redis was flushed) and is enqueued again by the sweeper.
LOST_JOB_GRACE = timedelta(minutes=2)


@job()
def deliver_message(message_id: int) -> str | None:
    status = deliver(message_id)
    if status == MessageStatus.RETRYING:
        message = db.session.get(OutboundMessage, message_id)
        wait = (message.next_attempt_at - utcnow()).total_seconds()
        deliver_message.schedule((message_id,), delay=max(wait, 0))
    return status


def enqueue_due_messages(*, grace: timedelta = LOST_JOB_GRACE) -> int:
    """Hand every overdue message to the queue again. Sending is claimed per message, so a
    message that still had its job waiting is not sent twice."""
    ids = due_message_ids(utcnow(), grace=grace)
    for message_id in ids:
        deliver_message(message_id)
    return len(ids)


@periodic_job(crontab(minute="*"))
def sweep_outbox() -> int:
    return enqueue_due_messages()
