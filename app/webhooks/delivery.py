"""One delivery attempt: claim the delivery, check its address again, POST the signed body,
record the attempt, and either mark it delivered or due again after the backoff.

The claim is a compare-and-set, as for the outbox (app.messaging.delivery): two workers never
send one delivery at once, and a worker that died mid-attempt leaves a claim that expires
after the lease. No transaction stays open while the endpoint answers. Delivery is at least
once: receivers drop repeats by the Nongsan-Event-Id header.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from app.db import utcnow
from app.extensions import db
from app.webhooks import transport
from app.webhooks.address_guard import AddressRefused, check_url
from app.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import endpoint_secret, signed_headers

#: The wait after each failed attempt; after the last, the delivery is given up.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: A claim older than this belongs to a worker that died: another may take it over.
LEASE = timedelta(seconds=60)
SWEEP_BATCH = 500


def backoff(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt, or None when it was the last."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else None


def _claimable(now: datetime):
    active = WebhookDelivery.endpoint_id.in_(
        select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True))
    )
    waiting = and_(
        WebhookDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
        WebhookDelivery.next_attempt_at <= now,
    )
    abandoned = and_(
        WebhookDelivery.status == DeliveryStatus.SENDING,
        WebhookDelivery.claimed_at < now - LEASE,
    )
    # A paused endpoint's deliveries wait, and go once it is switched on again.
    return and_(active, or_(waiting, abandoned))


def _claim(delivery_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, _claimable(now))
        .values(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            attempts=WebhookDelivery.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """One attempt. Its status afterwards, or None when it was not this call's to make
    (delivered, given up, not due, its endpoint paused, or claimed by another worker)."""
    now = now or utcnow()
    if not _claim(delivery_id, now):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its endpoint was deleted since the claim
        return None
    endpoint = delivery.endpoint
    url, salt, attempts = endpoint.url, endpoint.secret_salt, delivery.attempts
    body = delivery.payload.encode("utf-8")
    headers = signed_headers(
        endpoint_secret(salt),
        int(time.time()),
        body,
        event_type=delivery.event_type,
        event_id=delivery.event_id,
    )
    db.session.commit()  # no transaction open while the endpoint answers

    started = time.monotonic()
    try:
        answer = transport.post(check_url(url), body, headers)
    except AddressRefused as refusal:  # the host now resolves to a private address
        answer = transport.Answer(None, refusal.reason)
    duration_ms = int((time.monotonic() - started) * 1000)

    values: dict = {"last_status_code": answer.status_code, "last_error": answer.error}
    if answer.ok:
        values.update(status=DeliveryStatus.DELIVERED.value, delivered_at=utcnow())
    elif (wait := backoff(attempts)) is None:
        values["status"] = DeliveryStatus.FAILED.value
    else:
        values.update(status=DeliveryStatus.RETRYING.value, next_attempt_at=now + wait)
    # Only while the claim is still this attempt's (a stalled worker must not overwrite).
    recorded = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_at == now)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery_id,
            number=attempts,
            attempted_at=now,
            status_code=answer.status_code,
            error=answer.error,
            duration_ms=duration_ms,
        )
    )
    db.session.commit()
    return values["status"] if recorded else None


def due_delivery_ids(now: datetime, *, grace: timedelta = timedelta(0)) -> list[int]:
    """Deliveries due and perhaps without a job waiting for them (lost, or due for a retry)."""
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(_claimable(now - grace))
            .order_by(WebhookDelivery.id)
            .limit(SWEEP_BATCH)
        )
    )
