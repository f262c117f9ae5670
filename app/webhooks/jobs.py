"""The background jobs of webhooks: one delivery attempt, and the sweeper of due ones."""

from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from app.extensions import db
from app.jobs import crontab, job, periodic_job
from app.webhooks.delivery import deliver, due_delivery_ids
from app.webhooks.models import DeliveryStatus, WebhookDelivery

#: A pending delivery older than this is assumed to have lost its job; the sweeper
#: enqueues it again (the claim keeps it from going twice at once).
LOST_JOB_GRACE = timedelta(minutes=2)


@job()
def deliver_webhook(delivery_id: int) -> str | None:
    status = deliver(delivery_id)
    if status == DeliveryStatus.RETRYING:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        wait = (delivery.next_attempt_at - utcnow()).total_seconds()
        deliver_webhook.schedule((delivery_id,), delay=max(wait, 0))
    return status


def enqueue_due_deliveries(*, grace: timedelta = LOST_JOB_GRACE) -> int:
    ids = due_delivery_ids(utcnow(), grace=grace)
    for delivery_id in ids:
        deliver_webhook(delivery_id)
    return len(ids)


@periodic_job(crontab(minute="*"))
def sweep_webhooks() -> int:
    return enqueue_due_deliveries()
