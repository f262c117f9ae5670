"""Webhook endpoints of a farm (/farms/{farm_id}/webhooks) and of an operator
(/operator/webhooks): register, list, pause, delete, read the delivery log, replay.

The same operations twice, over app.webhooks.services (the rules the pages use); only who
may call them differs: a farm's managers with farm:read/farm:write (api.reach.farm_in_reach),
or an operator with operator:read/operator:write, for their own endpoints.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import marshmallow as ma
from flask.views import MethodView

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.paging import PageArgs, keyset_page, next_link, page_body, page_schema
from api.reach import farm_in_reach, operator_caller
from api.schemas import ROW_ID, UtcTime, storable
from app.extensions import db
from app.webhooks import services
from app.webhooks.address_guard import MAX_URL_LENGTH
from app.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from app.webhooks.services import Scope

blp = api_blueprint(
    "webhooks",
    "",
    "Signed webhooks: endpoints of a farm or an operator, their delivery log and replays",
)

EVENT_TYPES = [kind.value for kind in EventType]


class WebhookEndpointSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    farm_id = ma.fields.Integer(required=True, allow_none=True)
    url = ma.fields.String(required=True)
    event_types = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES)),
        required=True,
        attribute="event_type_list",
    )
    active = ma.fields.Boolean(required=True)
    secret_hint = ma.fields.String(
        required=True, metadata={"description": "The secret's last four characters"}
    )
    created_at = UtcTime(required=True)


class WebhookCreatedEndpointSchema(WebhookEndpointSchema):
    secret = ma.fields.String(
        required=True,
        metadata={"description": "The signing secret: shown in this answer only, never again"},
    )


class WebhookEndpointInput(ma.Schema):
    url = ma.fields.String(
        required=True, validate=[ma.validate.Length(min=1, max=MAX_URL_LENGTH), storable]
    )
    event_types = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES)),
        required=True,
        validate=ma.validate.Length(min=1, max=len(EVENT_TYPES)),
    )


class WebhookEndpointChange(ma.Schema):
    active = ma.fields.Boolean(
        required=True, metadata={"description": "false pauses it (events wait), true resumes"}
    )


class WebhookAttemptSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    attempted_at = UtcTime(required=True)
    status_code = ma.fields.Integer(required=True, allow_none=True)
    error = ma.fields.String(required=True, allow_none=True)
    duration_ms = ma.fields.Integer(required=True)


class WebhookDeliverySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    endpoint_id = ma.fields.Integer(required=True)
    event_id = ma.fields.String(required=True)
    event_type = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["pending", "sending", "delivered", "retrying", "failed"]),
    )
    attempts = ma.fields.Integer(required=True)
    next_attempt_at = UtcTime(required=True)
    last_status_code = ma.fields.Integer(required=True, allow_none=True)
    last_error = ma.fields.String(required=True, allow_none=True)
    delivered_at = UtcTime(required=True, allow_none=True)
    replay_of_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = UtcTime(required=True)
    payload = ma.fields.Method("_payload", required=True, metadata={"type": "object"})
    attempt_log = ma.fields.List(ma.fields.Nested(WebhookAttemptSchema), required=True)

    def _payload(self, delivery: WebhookDelivery) -> dict:
        return json.loads(delivery.payload)


EndpointPage = page_schema(WebhookEndpointSchema, "WebhookEndpointPage")
DeliveryPage = page_schema(WebhookDeliverySchema, "WebhookDeliveryPage")


def _register(
    prefix: str,
    name: str,
    read: str,
    write: str,
    scope_for: Callable[..., Scope],
) -> None:
    """The seven operations under `prefix`, reached with `read`/`write` by `scope_for`."""

    @blp.route(prefix, endpoint=f"{name}_endpoints")
    class Endpoints(MethodView):
        provide_automatic_options = False  # OPTIONS is no operation of the document: 405

        @authorized(blp, read)
        @blp.arguments(PageArgs, location="query")
        @blp.response(200, EndpointPage)
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, args, **owner):
            """The endpoints, newest first."""
            statement = services.endpoints_statement(scope_for(**owner))
            rows, cursor = keyset_page(statement, WebhookEndpoint.id, args)
            return page_body(rows, cursor), 200, next_link(cursor)

        @authorized(blp, write)
        @blp.arguments(WebhookEndpointInput)
        @blp.response(201, WebhookCreatedEndpointSchema)
        @blp.alt_response(404, response="NOT_FOUND")
        @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
        def post(self, data, **owner):
            """Register an https endpoint; the answer holds its signing secret, once."""
            endpoint, secret = services.create_endpoint(
                scope_for(**owner), url=data["url"], event_types=data["event_types"]
            )
            db.session.commit()
            shown = ("id", "farm_id", "url", "event_type_list", "active", "secret_hint")
            return {"secret": secret, "created_at": endpoint.created_at} | {
                field: getattr(endpoint, field) for field in shown
            }

    @blp.route(f"{prefix}/<{ROW_ID}:endpoint_id>", endpoint=f"{name}_endpoint")
    class Endpoint(MethodView):
        provide_automatic_options = False

        @authorized(blp, read)
        @blp.response(200, WebhookEndpointSchema)
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, endpoint_id, **owner):
            """One endpoint."""
            return services.endpoint_for(scope_for(**owner), endpoint_id)

        @authorized(blp, write)
        @blp.arguments(WebhookEndpointChange)
        @blp.response(200, WebhookEndpointSchema)
        @blp.alt_response(404, response="NOT_FOUND")
        @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
        def patch(self, data, endpoint_id, **owner):
            """Pause an endpoint (its events wait) or switch it on again."""
            endpoint = services.set_active(scope_for(**owner), endpoint_id, data["active"])
            db.session.commit()
            return endpoint

        @authorized(blp, write)
        @blp.response(204)
        @blp.alt_response(404, response="NOT_FOUND")
        def delete(self, endpoint_id, **owner):
            """Delete an endpoint and its delivery log."""
            services.delete_endpoint(scope_for(**owner), endpoint_id)
            db.session.commit()

    @blp.route(f"{prefix}/<{ROW_ID}:endpoint_id>/deliveries", endpoint=f"{name}_deliveries")
    @authorized(blp, read)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, DeliveryPage)
    @blp.alt_response(404, response="NOT_FOUND")
    def deliveries(args, endpoint_id, **owner):
        """The delivery log, newest first, with every attempt."""
        statement = services.deliveries_statement(scope_for(**owner), endpoint_id)
        rows, cursor = keyset_page(statement, WebhookDelivery.id, args)
        return page_body(rows, cursor), 200, next_link(cursor)

    deliveries.__name__ = f"{name}_deliveries"
    deliveries.provide_automatic_options = False

    @blp.route(
        f"{prefix}/<{ROW_ID}:endpoint_id>/deliveries/<{ROW_ID}:delivery_id>/replay",
        endpoint=f"{name}_replay",
        methods=["POST"],
    )
    @authorized(blp, write)
    @blp.response(202, WebhookDeliverySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def replay(endpoint_id, delivery_id, **owner):
        """Send a delivery's event again (same event id and body) as a new delivery."""
        delivery = services.replay(scope_for(**owner), endpoint_id, delivery_id)
        db.session.commit()
        return delivery

    replay.__name__ = f"{name}_replay"
    replay.provide_automatic_options = False


def _farm_scope(farm_id: int) -> Scope:
    return services.farm_scope(caller(), farm_in_reach(farm_id).id)


def _operator_scope() -> Scope:
    return services.operator_scope(operator_caller())


_register(f"/farms/<{ROW_ID}:farm_id>/webhooks", "farm", "farm:read", "farm:write", _farm_scope)
_register("/operator/webhooks", "operator", "operator:read", "operator:write", _operator_scope)
