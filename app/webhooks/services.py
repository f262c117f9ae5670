"""Registering, pausing and deleting endpoints, their delivery log, and replays: the one set
of rules the pages and the API both call.

Every call names its scope: a farm (the caller has already been let onto the farm, by
farms' get_farm_for or api.reach.farm_in_reach) or an operator's own endpoints. An endpoint
or delivery outside the scope does not exist for the caller (NotFound).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.after_commit import after_commit
from app.auth.models import User
from app.auth.roles import Role, ensure_role
from app.errors import DomainError, NotFound
from app.extensions import db
from app.webhooks.address_guard import check_url
from app.webhooks.jobs import deliver_webhook
from app.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from app.webhooks.signing import endpoint_secret, new_salt

#: Endpoints one farm (or one operator) may have: enough for a few systems, not a flood.
MAX_ENDPOINTS = 10


@dataclass(frozen=True)
class Scope:
    """Whose endpoints: a farm's (farm_id) or one operator's own (farm_id None)."""

    actor: User
    farm_id: int | None


def farm_scope(actor: User, farm_id: int) -> Scope:
    """For a farm the caller was already let onto (farms' get_farm_for, api.reach)."""
    return Scope(actor, farm_id)


def operator_scope(actor: User) -> Scope:
    ensure_role(actor, Role.OPERATOR)
    return Scope(actor, None)


def endpoints_statement(scope: Scope) -> Select:
    if scope.farm_id is not None:
        return select(WebhookEndpoint).where(WebhookEndpoint.farm_id == scope.farm_id)
    return select(WebhookEndpoint).where(
        WebhookEndpoint.farm_id.is_(None), WebhookEndpoint.owner_id == scope.actor.id
    )


def endpoints(scope: Scope) -> list[WebhookEndpoint]:
    return list(db.session.scalars(endpoints_statement(scope).order_by(WebhookEndpoint.id)))


def endpoint_for(scope: Scope, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.scalar(
        endpoints_statement(scope).where(WebhookEndpoint.id == endpoint_id)
    )
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id}")
    return endpoint


def _event_types(chosen: list[str]) -> str:
    known = [kind.value for kind in EventType]
    if not chosen or any(kind not in known for kind in chosen):
        raise DomainError(_l("Choose at least one event from the list."), field="event_types")
    return ",".join(kind for kind in known if kind in chosen)


def create_endpoint(
    scope: Scope, *, url: str, event_types: list[str]
) -> tuple[WebhookEndpoint, str]:
    """The new endpoint and its signing secret, which is shown this once and never again."""
    url = url.strip()
    check_url(url)
    kinds = _event_types(event_types)
    count = db.session.scalar(
        select(func.count()).select_from(endpoints_statement(scope).subquery())
    )
    if count >= MAX_ENDPOINTS:
        raise DomainError(
            _l("You have %(count)d endpoints already: delete one first.", count=count)
        )
    salt = new_salt()
    secret = endpoint_secret(salt)
    endpoint = WebhookEndpoint(
        owner=scope.actor,
        farm_id=scope.farm_id,
        url=url,
        event_types=kinds,
        secret_salt=salt,
        secret_hint=secret[-4:],
        active=True,
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, secret


def set_active(scope: Scope, endpoint_id: int, active: bool) -> WebhookEndpoint:
    """Pause (deliveries wait) or switch back on (waiting deliveries go)."""
    endpoint = endpoint_for(scope, endpoint_id)
    endpoint.active = active
    db.session.flush()
    return endpoint


def delete_endpoint(scope: Scope, endpoint_id: int) -> None:
    """The endpoint and its delivery log go (the database cascades to both)."""
    endpoint = endpoint_for(scope, endpoint_id)
    db.session.delete(endpoint)
    db.session.flush()


def deliveries_statement(scope: Scope, endpoint_id: int) -> Select:
    endpoint = endpoint_for(scope, endpoint_id)
    return (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .options(selectinload(WebhookDelivery.attempt_log))  # the log shows every attempt
    )


def delivery_for(scope: Scope, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    delivery = db.session.scalar(
        deliveries_statement(scope, endpoint_id).where(WebhookDelivery.id == delivery_id)
    )
    if delivery is None:
        raise NotFound(f"webhook delivery {delivery_id}")
    return delivery


#: A delivery in these states will still be sent (or is being sent).
WAITING = (
    DeliveryStatus.PENDING.value,
    DeliveryStatus.SENDING.value,
    DeliveryStatus.RETRYING.value,
)


def replay(scope: Scope, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send the delivery's event again, as a new delivery with the same event id and body
    (so a receiver that already has it can tell); it goes after the commit."""
    original = delivery_for(scope, endpoint_id, delivery_id)
    # One replay of an event waits at a time (beside the original's own retries), so replays
    # cannot pile up in the job queue. The original row is locked, so two replays at once
    # cannot both see none waiting.
    db.session.execute(
        select(WebhookDelivery.id).where(WebhookDelivery.id == original.id).with_for_update()
    )
    waiting = db.session.scalar(
        select(func.count(WebhookDelivery.id)).where(
            WebhookDelivery.endpoint_id == original.endpoint_id,
            WebhookDelivery.event_id == original.event_id,
            WebhookDelivery.replay_of_id.is_not(None),
            WebhookDelivery.status.in_(WAITING),
        )
    )
    if waiting:
        raise DomainError(_l("A replay of this event is still waiting to be sent."))
    again = WebhookDelivery(
        endpoint_id=original.endpoint_id,
        event_id=original.event_id,
        event_type=original.event_type,
        payload=original.payload,
        replay_of_id=original.id,
    )
    db.session.add(again)
    db.session.flush()
    after_commit(deliver_webhook, again.id)
    return again
