"""Delivering one outbox message: claim it, hand it to its channel's provider, record how it went.

The claim is a compare-and-set on the row, so two workers (or a retry racing the sweeper)
never send the same message twice at once; a worker that dies mid-send leaves a claim that
expires after the lease and is taken over. Failures wait `backoff(attempts)` before the next
attempt, and after MESSAGE_MAX_ATTEMPTS, or on a permanent refusal, the message is marked
failed for operators. Delivery is therefore at least once: a worker killed between the
provider's answer and the commit sends that message again. eSMS drops a repeat of a
RequestId it has seen, and we pass the message id as one; Zalo's tracking_id (also the message
id) is for reconciling, not documented to drop repeats, so a Zalo message can arrive twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.db import utcnow
from app.extensions import db
from app.messaging.models import REDACTED, MessageStatus, OutboundMessage, is_secret_kind
from app.messaging.providers import DeliveryError, OutboxProvider, providers_for

log = logging.getLogger(__name__)

#: Messages the sweeper hands to the queue in one go.
SWEEP_BATCH = 500


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base, 2×, 4×, … up to six hours."""
    base = current_app.config["MESSAGE_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MESSAGE_LEASE_SECONDS"])


def _claimable(now: datetime):
    waiting = and_(
        OutboundMessage.status.in_([MessageStatus.QUEUED, MessageStatus.RETRYING]),
        OutboundMessage.next_attempt_at <= now,
    )
    abandoned = and_(
        OutboundMessage.status == MessageStatus.SENDING,
        OutboundMessage.claimed_at < now - _lease(),
    )
    return or_(waiting, abandoned)


def claim(message_id: int, now: datetime) -> bool:
    """Take the message for one attempt; False when it is sent, failed, not due or taken."""
    claimed = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, _claimable(now))
        .values(
            status=MessageStatus.SENDING,
            claimed_at=now,
            attempts=OutboundMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def deliver(message_id: int, now: datetime | None = None) -> str | None:
    """One attempt at sending the message. Returns its status afterwards, or None when it was
    not this call's to send (already sent, given up, not due, or claimed by another worker)."""
    now = now or utcnow()
    if not claim(message_id, now):
        return None
    message = db.session.get(OutboundMessage, message_id)
    # The provider gets a detached copy and no transaction stays open while it answers: no
    # snapshot (and on SQLite no lock) is held for the seconds an SMTP or HTTP server takes.
    db.session.expunge(message)
    db.session.commit()
    provider = providers_for(current_app.config)[message.channel]
    outcome: dict = {"provider": provider.name}
    try:
        outcome["provider_message_id"] = provider.send(message)
    except DeliveryError as error:
        outcome.update(_failure(message, error.reason, permanent=error.permanent, now=now))
    except Exception as error:  # a provider's bug must not lose the message: retry it
        log.exception("Provider %s failed on message %s", provider.name, message_id)
        reason = f"{type(error).__name__}: {error}"
        outcome.update(_failure(message, reason, permanent=False, now=now))
    else:
        outcome.update(status=MessageStatus.SENT.value, sent_at=utcnow(), last_error=None)
        if is_secret_kind(message.kind) and provider.name != OutboxProvider.name:
            # Delivered: a copy of the database must not hold a live code or reset link.
            outcome.update(body=REDACTED, params_json="{}")
    # Only while the claim is still this attempt's: a worker stalled past the lease must not
    # overwrite what the attempt that took the message over recorded.
    recorded = db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.claimed_at == now)
        .values(**outcome)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return outcome["status"] if recorded else None


def _failure(message: OutboundMessage, reason: str, *, permanent: bool, now: datetime) -> dict:
    """The row's values after a failed attempt: given up, or due again after the backoff."""
    if permanent or message.attempts >= current_app.config["MESSAGE_MAX_ATTEMPTS"]:
        log.warning(
            "Message %s given up after %s attempt(s): %s", message.id, message.attempts, reason
        )
        return {"status": MessageStatus.FAILED.value, "last_error": reason[:500]}
    return {
        "status": MessageStatus.RETRYING.value,
        "last_error": reason[:500],
        "next_attempt_at": now + backoff(message.attempts),
    }


def due_message_ids(now: datetime, *, grace: timedelta = timedelta(0)) -> list[int]:
    """Messages that should be on their way and may have no job waiting for them: queued
    longer than `grace` (the job enqueued with them was lost), due for a retry, or claimed
    by a worker that died."""
    return list(
        db.session.scalars(
            select(OutboundMessage.id)
            .where(_claimable(now - grace))
            .order_by(OutboundMessage.id)
            .limit(SWEEP_BATCH)
        )
    )


def retry_now(message: OutboundMessage) -> bool:
    """An operator's "try again" on a failed or waiting message: due at once, with a new
    allowance of attempts. False when it is being sent or already sent."""
    reopened = db.session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == message.id,
            OutboundMessage.status.in_([MessageStatus.FAILED, MessageStatus.RETRYING]),
        )
        .values(status=MessageStatus.RETRYING, next_attempt_at=utcnow(), attempts=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    if reopened:
        db.session.refresh(message)
    return reopened == 1
