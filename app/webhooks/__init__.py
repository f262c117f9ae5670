"""Signed webhooks: farms and operators register HTTPS endpoints for events; each event is
delivered by the job queue, signed like Stripe's webhooks, retried with backoff, logged per
attempt and replayable by its owner (see the README's "Webhooks").

The domains call `publish(...)` where the thing happens; nothing here imports a domain.
"""

from __future__ import annotations

from app.webhooks.events import publish, publish_once, rfc3339
from app.webhooks.models import EventType

__all__ = ["EventType", "publish", "publish_once", "rfc3339"]
