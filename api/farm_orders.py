"""A farm's orders over the API: the list its order pages show, one order with its timeline,
and the farm's steps (confirm a transfer, pack, ship, deliver, cancel, refund) as transitions.

A transition calls the same service as the page's button, which moves the order through
orders.services.move_order (the state table of orders/states.py, compare-and-set) and
queues the buyer's mail itself. Refusals: 409 when the order's state (or a batch's) does
not allow the change, 422 when a field of the request is wrong; either way nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.conflicts import conflict, state_refusals_conflict
from api.paging import PageArgs, keyset_page, next_link, page_body, page_schema
from api.reach import farm_in_reach
from api.schemas import ROW_ID, UtcTime, Vnd
from app.auth.models import User
from app.errors import DomainError, NotFound
from app.extensions import db
from orders import services
from orders.carriers import CARRIERS, OTHER
from orders.models import Order
from orders.states import ALLOWED_TRANSITIONS, OrderStatus, PaymentStatus, status_label
from traceability import allocation

blp = api_blueprint(
    "farm-orders",
    f"/farms/<{ROW_ID}:farm_id>/orders",
    "A farm's orders: the list (`status=new` for the new ones), one order with its items, "
    "delivery address and timeline, and its state changes.",
)

#: `status=new` lists what the farm's "New" tab lists (orders.views.FARM_TABS): orders to
#: confirm or pack.
NEW = "new"
NEW_STATUSES = (OrderStatus.AWAITING_PAYMENT.value, OrderStatus.CONFIRMED.value)
MAX_TEXT = 500


# Schemas -----------------------------------------------------------------------------------


class OrderFilterArgs(PageArgs):
    status = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf([NEW, *OrderStatus]),
        metadata={
            "description": "`new` for the farm's new orders (awaiting payment or confirmed, "
            "as the farm's New tab), or one order state"
        },
    )
    payment_status = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(list(PaymentStatus)),
        metadata={"description": "Only orders whose payment is in this state"},
    )


class OrderLineSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    variant_id = ma.fields.Integer(required=True, allow_none=True)
    product_name = ma.fields.String(required=True)
    unit_label = ma.fields.String(required=True)
    unit_price_vnd = Vnd(required=True)
    quantity = ma.fields.Integer(required=True)
    line_total_vnd = Vnd(required=True)
    weight_grams = ma.fields.Integer(required=True)
    ships_on = ma.fields.Date(
        required=True, allow_none=True, metadata={"description": "A pre-order line's date"}
    )
    # Weighed goods (orders.weighed).
    sold_by_weight = ma.fields.Boolean(
        required=True, metadata={"description": "Charged by the weight packed"}
    )
    price_per_kg_vnd = Vnd(required=True, allow_none=True, metadata={"description": "Weighed"})
    estimated_grams = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "Weighed: as ordered"}
    )
    actual_grams = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Weighed: as packed (empty until the farm weighs it)"},
    )


class OrderDeliverySchema(ma.Schema):
    """Who receives the order and where, as the farm's order page shows it."""

    method = ma.fields.String(required=True, metadata={"description": "delivery or pickup"})
    name = ma.fields.String(required=True)
    phone = ma.fields.String(required=True, metadata={"description": "E.164"})
    address = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "Empty for pickup"}
    )
    province_code = ma.fields.String(required=True)
    commune = ma.fields.String(required=True)
    street = ma.fields.String(required=True)


class FarmTimelineEntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(
        required=True, metadata={"description": "status, payment, shipped_early, recall or weights"}
    )
    from_state = ma.fields.String(required=True, allow_none=True)
    to_state = ma.fields.String(required=True, allow_none=True)
    actor_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "Empty for the system"}
    )
    note = ma.fields.String(required=True)
    created_at = UtcTime(required=True)


class FarmOrderSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"description": "The order's state"})
    payment_status = ma.fields.String(required=True)
    payment_method = ma.fields.String(required=True)
    subtotal_vnd = Vnd(required=True)
    delivery_fee_vnd = Vnd(required=True)
    discount_vnd = Vnd(
        required=True,
        metadata={
            "description": "A voucher's discount on the items: total = subtotal + fee - discount"
        },
    )
    platform_discount_vnd = Vnd(
        required=True,
        metadata={"description": "The part of discount_vnd the platform pays the farm"},
    )
    total_vnd = Vnd(required=True)
    created_at = UtcTime(required=True)
    pay_before = UtcTime(required=True, allow_none=True)
    carrier = ma.fields.String(required=True, allow_none=True)
    carrier_code = ma.fields.String(required=True, allow_none=True)
    tracking_number = ma.fields.String(required=True, allow_none=True)
    cancel_reason = ma.fields.String(required=True, allow_none=True)
    recall_hold = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "A recalled batch the order was packed from: do not ship"},
    )
    weight_adjustment_vnd = Vnd(
        required=True,
        metadata={
            "description": "Weighed goods: items at the weights packed minus items as "
            "estimated (negative when lighter; never more than was paid for the items after "
            "a voucher); the final total is total_vnd plus it"
        },
    )
    weight_absorbed_vnd = Vnd(
        required=True,
        metadata={"description": "Weighed goods: what the farm absorbed of a heavier prepaid box"},
    )
    next_states = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={
            "description": "States a transition may ask for now (a step may still refuse, "
            "e.g. a refund of an unpaid order)"
        },
    )
    delivery = ma.fields.Nested(OrderDeliverySchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)


class FarmOrderDetailSchema(FarmOrderSchema):
    timeline = ma.fields.List(ma.fields.Nested(FarmTimelineEntrySchema), required=True)


class BatchShareSchema(ma.Schema):
    line_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2**31 - 1))
    batch_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2**31 - 1))
    quantity = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=100_000))


class WeightSchema(ma.Schema):
    line_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2**31 - 1))
    grams = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=10_000_000))


class TransitionSchema(ma.Schema):
    to = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(list(OrderStatus)),
        metadata={"description": "The state to move the order to"},
    )
    carrier = ma.fields.String(
        validate=ma.validate.OneOf([*(carrier.code for carrier in CARRIERS), OTHER]),
        metadata={"description": "shipped: the carrier's code (`other` with carrier_name)"},
    )
    carrier_name = ma.fields.String(
        validate=ma.validate.Length(max=80),
        metadata={"description": "shipped: the name of an `other` carrier"},
    )
    tracking_number = ma.fields.String(
        validate=ma.validate.Length(max=80), metadata={"description": "shipped"}
    )
    ship_early = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "shipped: a pre-order leaves before its date (buyer is told)"},
    )
    reason = ma.fields.String(
        validate=ma.validate.Length(max=MAX_TEXT),
        metadata={"description": "cancelled, refunded: why (the buyer reads it)"},
    )
    batches = ma.fields.List(
        ma.fields.Nested(BatchShareSchema),
        validate=ma.validate.Length(max=200),
        metadata={"description": "packed: which batch each line's units came from (optional)"},
    )
    weights = ma.fields.List(
        ma.fields.Nested(WeightSchema),
        validate=ma.validate.Length(max=200),
        metadata={"description": "packed: the actual grams of every line sold by weight"},
    )
    confirm_unusual_weights = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "packed: a weight below half or above twice its estimate"},
    )


# Reading -----------------------------------------------------------------------------------


def _farm_order(farm_id: int, order_id: int) -> Order:
    """The order, when it is this farm's; another farm's order is not found here."""
    farm = farm_in_reach(farm_id)
    order = db.session.get(Order, order_id)
    if order is None or order.farm_id != farm.id:
        raise NotFound(f"Order {order_id}")
    return order


def _next_states(order: Order) -> list[str]:
    return sorted(
        target for target in ALLOWED_TRANSITIONS[OrderStatus(order.status)] if target in FARM_STEPS
    )


def _delivery(order: Order) -> dict:
    checkout = order.checkout
    pickup = order.delivery_method == "pickup"
    return {
        "method": order.delivery_method,
        "name": checkout.contact_name,
        "phone": checkout.contact_phone,
        "address": None if pickup else checkout.address_line,
        "province_code": checkout.province_code,
        "commune": checkout.commune,
        "street": checkout.street,
    }


def _order_body(order: Order, *, timeline: bool = False) -> dict:
    body = {
        column: getattr(order, column)
        for column in (
            "id",
            "number",
            "status",
            "payment_status",
            "payment_method",
            "subtotal_vnd",
            "delivery_fee_vnd",
            "discount_vnd",
            "platform_discount_vnd",
            "total_vnd",
            "created_at",
            "pay_before",
            "carrier",
            "carrier_code",
            "tracking_number",
            "cancel_reason",
            "recall_hold",
            "weight_adjustment_vnd",
            "weight_absorbed_vnd",
        )
    }
    body["next_states"] = _next_states(order)
    body["delivery"] = _delivery(order)
    body["lines"] = order.lines
    if timeline:
        body["timeline"] = order.events
    return body


@blp.route("")
class FarmOrders(MethodView):
    @authorized(blp, "orders:read")
    @blp.arguments(OrderFilterArgs, location="query")
    @blp.response(200, page_schema(FarmOrderSchema, "FarmOrderPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args, farm_id: int):
        """The farm's orders, newest first; `status=new` gives the ones to confirm or pack."""
        farm = farm_in_reach(farm_id)
        statement = (
            select(Order)
            .where(Order.farm_id == farm.id)
            .options(selectinload(Order.lines), selectinload(Order.checkout))
        )
        if args["status"] == NEW:
            statement = statement.where(Order.status.in_(NEW_STATUSES))
        elif args["status"]:
            statement = statement.where(Order.status == args["status"])
        if args["payment_status"]:
            statement = statement.where(Order.payment_status == args["payment_status"])
        orders, cursor = keyset_page(statement, Order.id, args)
        return page_body([_order_body(o) for o in orders], cursor), 200, next_link(cursor)


@blp.route(f"/<{ROW_ID}:order_id>")
class FarmOrder(MethodView):
    @authorized(blp, "orders:read")
    @blp.response(200, FarmOrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, order_id: int):
        """One order: items, totals, delivery address, payment and fulfilment, timeline."""
        return _order_body(_farm_order(farm_id, order_id), timeline=True)


# Transitions -------------------------------------------------------------------------------


def _pack(order: Order, actor: User, args: dict) -> None:
    chosen: dict[int, list[tuple[str, str]]] = {}
    for share in args.get("batches") or ():
        chosen.setdefault(share["line_id"], []).append(
            (str(share["batch_id"]), str(share["quantity"]))
        )
    if set(chosen) - {line.id for line in order.lines}:
        raise DomainError(_l("Name the lines of this order."), field="batches")
    allocation.pack_with_batches(
        order,
        actor,
        chosen,
        actual_grams={weight["line_id"]: weight["grams"] for weight in args.get("weights") or ()},
        confirm_unusual_weights=args["confirm_unusual_weights"],
    )


def _ship(order: Order, actor: User, args: dict) -> None:
    services.ship_order(
        order,
        actor,
        carrier=args.get("carrier", ""),
        carrier_name=args.get("carrier_name"),
        tracking_number=args.get("tracking_number"),
        ship_early=args["ship_early"],
    )


#: The farm's step for each state it may move an order to: the page's buttons' services.
#: "completed" has none: no person completes an order.
FARM_STEPS: dict[str, Callable[[Order, User, dict], None]] = {
    OrderStatus.CONFIRMED: lambda order, actor, args: services.confirm_transfer(order, actor),
    OrderStatus.PACKED: _pack,
    OrderStatus.SHIPPED: _ship,
    OrderStatus.DELIVERED: lambda order, actor, args: services.mark_delivered(order, actor),
    OrderStatus.CANCELLED: lambda order, actor, args: services.cancel_by_farm(
        order, actor, args.get("reason", "")
    ),
    OrderStatus.REFUNDED: lambda order, actor, args: services.record_refund(
        order, actor, args.get("reason", "")
    ),
}


@blp.route(f"/<{ROW_ID}:order_id>/transitions")
class OrderTransitions(MethodView):
    @authorized(blp, "orders:write")
    @blp.arguments(TransitionSchema)
    @blp.response(200, FarmOrderDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, args, farm_id: int, order_id: int):
        """Move the order to state `to` as the farm's page does (mails included).

        confirmed: a bank transfer arrived. packed: optionally `batches`. shipped: `carrier`
        (and `carrier_name` for `other`), `tracking_number`, `ship_early`. cancelled and
        refunded: `reason`. 409 when the state does not allow it, 422 for a bad field.
        """
        order = _farm_order(farm_id, order_id)
        target = args["to"]
        step = FARM_STEPS.get(target)
        if step is None or target not in ALLOWED_TRANSITIONS[OrderStatus(order.status)]:
            conflict(
                gettext(
                    "This order cannot go from “%(from)s” to “%(to)s”.",
                    **{"from": status_label(order.status), "to": status_label(target)},
                )
            )
        with state_refusals_conflict():
            step(order, caller(), args)
        db.session.commit()
        return _order_body(order, timeline=True)
