"""`publish(...)`: an event becomes one delivery per endpoint that wants it, sent after commit.

The domains call it where the thing happens (orders, traceability, farms), in the same
transaction: a rolled-back change publishes nothing. The farm's own endpoints receive its
events; operators' endpoints receive those of their scope (the whole country, or one province).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app.after_commit import after_commit
from app.auth.models import User
from app.auth.roles import Role
from app.db import utcnow
from app.extensions import db
from app.webhooks.jobs import deliver_webhook
from app.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookOnce


def rfc3339(moment: datetime | None) -> str | None:
    """A time as the payloads write it: RFC 3339 in UTC with a trailing Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def subscribers(
    event_type: str, *, farm_id: int | None, province_code: str | None
) -> list[WebhookEndpoint]:
    """The active endpoints that receive this event: the farm's, and the operators' whose
    scope holds the farm's province (a country-wide operator's hold every province)."""
    operators = (
        select(WebhookEndpoint.id)
        .join(User, User.id == WebhookEndpoint.owner_id)
        .where(
            WebhookEndpoint.farm_id.is_(None),
            User.role == Role.OPERATOR.value,
            User.active.is_(True),
            or_(
                User.operator_province_code.is_(None),
                User.operator_province_code == province_code,
            ),
        )
    )
    whose = WebhookEndpoint.id.in_(operators)
    if farm_id is not None:
        whose = or_(whose, WebhookEndpoint.farm_id == farm_id)
    endpoints = db.session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.active.is_(True), whose)
        .order_by(WebhookEndpoint.id)
    )
    return [endpoint for endpoint in endpoints if endpoint.wants(event_type)]


def _first_time(key: str) -> bool:
    """Record `key`; False when it was recorded before (by this or a concurrent job)."""
    if db.session.get(WebhookOnce, key) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(WebhookOnce(key=key))
    except IntegrityError:
        return False
    return True


def publish(
    event_type: EventType | str,
    data: dict,
    *,
    farm_id: int | None = None,
    province_code: str | None = None,
) -> list[WebhookDelivery]:
    """Queue the event for every endpoint that wants it; each is sent after the commit."""
    event_type = EventType(event_type).value
    endpoints = subscribers(event_type, farm_id=farm_id, province_code=province_code)
    if not endpoints:
        return []
    event_id = f"evt_{uuid.uuid4().hex}"
    body = json.dumps(
        {"id": event_id, "type": event_type, "created": rfc3339(utcnow()), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    deliveries = [
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type, payload=body)
        for endpoint in endpoints
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    for delivery in deliveries:
        after_commit(deliver_webhook, delivery.id)
    return deliveries


def publish_once(key: str, event_type: EventType | str, data: dict, **scope) -> bool:
    """Publish unless an event was published under `key` before (by this or a concurrent
    run); True when it was published now."""
    if not _first_time(key):
        return False
    publish(event_type, data, **scope)
    return True
