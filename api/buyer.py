"""A buyer's own orders (scope purchases:read): the list and each order with its lines,
totals, payment and fulfilment states and timeline, as the order pages show them.

The orders are the caller's checkouts' (orders.services.orders_of_buyer's condition), and
that condition is part of every query: another buyer's order is not found, exactly like an
order that does not exist, so nothing tells the two apart.
"""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.paging import PageArgs, keyset_page, next_link, page_schema
from api.public_catalog import absolute_url
from api.schemas import ROW_ID, UtcTime, Vnd
from app.errors import NotFound
from app.extensions import db
from orders.events import OrderEventKind
from orders.models import Checkout, Order
from orders.states import (
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    payment_status_label,
    status_label,
)
from orders.weighed.amounts import final_line_vnd
from products.units import translate_unit_label
from traceability.allocation import batches_of_lines

blp = api_blueprint("purchases", "/me", "The calling buyer's own orders and their timelines")

SCOPE = "purchases:read"
ORDER_STATES = [state.value for state in OrderStatus]
PAYMENT_STATES = [state.value for state in PaymentStatus]


def _of_caller():
    """The caller's orders: the condition of orders.services.orders_of_buyer."""
    return select(Order).join(Order.checkout).where(Checkout.buyer_id == caller().id)


class PurchaseFarmSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class PurchaseSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True, metadata={"description": "e.g. NS000123"})
    farm = ma.fields.Nested(PurchaseFarmSchema, required=True)
    status = ma.fields.String(
        required=True, metadata={"description": "Fulfilment state", "enum": ORDER_STATES}
    )
    status_label = ma.fields.String(required=True)
    payment_status = ma.fields.String(required=True, metadata={"enum": PAYMENT_STATES})
    payment_status_label = ma.fields.String(required=True)
    payment_method = ma.fields.String(
        required=True, metadata={"enum": [m.value for m in PaymentMethod]}
    )
    delivery_method = ma.fields.String(required=True, metadata={"enum": ["delivery", "pickup"]})
    subtotal_vnd = Vnd(required=True)
    delivery_fee_vnd = Vnd(required=True)
    discount_vnd = Vnd(
        required=True,
        metadata={
            "description": "A voucher's discount on the items: total = subtotal + fee - discount"
        },
    )
    total_vnd = Vnd(required=True)
    created_at = UtcTime(required=True)


def _summary(order: Order) -> dict:
    return {
        "id": order.id,
        "number": order.number,
        "farm": {"id": order.farm.id, "name": order.farm.name},
        "status": order.status,
        "status_label": str(status_label(order.status)),
        "payment_status": order.payment_status,
        "payment_status_label": str(payment_status_label(order.payment_status)),
        "payment_method": order.payment_method,
        "delivery_method": order.delivery_method,
        "subtotal_vnd": order.subtotal_vnd,
        "delivery_fee_vnd": order.delivery_fee_vnd,
        "discount_vnd": order.discount_vnd,
        "total_vnd": order.total_vnd,
        "created_at": order.created_at,
    }


class OrderListArgs(PageArgs):
    status = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(ORDER_STATES),
        metadata={"description": "Only orders in this fulfilment state"},
    )


@blp.route("/orders")
@authorized(blp, SCOPE)
@blp.arguments(OrderListArgs, location="query")
@blp.response(200, page_schema(PurchaseSummarySchema, "PurchasePage"))
def my_orders(args):
    """The caller's orders.

    Newest first; a checkout with several farms has one order per farm.
    """
    statement = _of_caller().options(selectinload(Order.farm))
    if args["status"]:
        statement = statement.where(Order.status == args["status"])
    orders, cursor = keyset_page(statement, Order.id, args)
    return {"items": [_summary(o) for o in orders], "next_cursor": cursor}, 200, next_link(cursor)


class PurchaseOriginSchema(ma.Schema):
    batch_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    trace_url = ma.fields.String(required=True, metadata={"description": "Its public trace"})


class PurchaseLineSchema(ma.Schema):
    product_name = ma.fields.String(required=True, metadata={"description": "As bought"})
    variant_id = ma.fields.Integer(allow_none=True)
    unit_label = ma.fields.String(required=True)
    unit_price_vnd = Vnd(required=True)
    quantity = ma.fields.Integer(required=True)
    line_total_vnd = Vnd(required=True)
    ships_on = ma.fields.Date(allow_none=True, metadata={"description": "A pre-order's date"})
    # Weighed goods (orders.weighed).
    sold_by_weight = ma.fields.Boolean(
        required=True, metadata={"description": "Charged by the weight packed"}
    )
    estimated_grams = ma.fields.Integer(allow_none=True, metadata={"description": "As ordered"})
    actual_grams = ma.fields.Integer(
        allow_none=True, metadata={"description": "As packed; empty until the farm weighs it"}
    )
    final_total_vnd = Vnd(
        required=True, metadata={"description": "At the weight packed (else line_total_vnd)"}
    )
    origins = ma.fields.List(
        ma.fields.Nested(PurchaseOriginSchema),
        required=True,
        metadata={"description": "The batches it was packed from"},
    )


class PurchaseEventSchema(ma.Schema):
    at = UtcTime(required=True)
    kind = ma.fields.String(
        required=True,
        metadata={
            "description": "status (fulfilment), payment, shipped_early, recall or weights",
            "enum": [k.value for k in OrderEventKind],
        },
    )
    from_state = ma.fields.String(allow_none=True)
    to_state = ma.fields.String(allow_none=True)
    batch_code = ma.fields.String(
        allow_none=True, metadata={"description": "For a recall: the recalled batch"}
    )


class PurchaseShippingSchema(ma.Schema):
    carrier = ma.fields.String(allow_none=True)
    tracking_number = ma.fields.String(allow_none=True)


class PurchaseSchema(PurchaseSummarySchema):
    pay_before = UtcTime(allow_none=True, metadata={"description": "Unpaid after it: cancelled"})
    cancel_reason = ma.fields.String(allow_none=True)
    weight_adjustment_vnd = Vnd(
        required=True,
        metadata={
            "description": "Weighed goods: items at the weights packed minus items as "
            "estimated (negative when lighter; never more than was paid for the items after "
            "a voucher)"
        },
    )
    final_total_vnd = Vnd(
        required=True, metadata={"description": "total_vnd plus weight_adjustment_vnd"}
    )
    shipping = ma.fields.Nested(PurchaseShippingSchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(PurchaseLineSchema), required=True)
    timeline = ma.fields.List(
        ma.fields.Nested(PurchaseEventSchema),
        required=True,
        metadata={"description": "The order's history, oldest first"},
    )


def _entry(event) -> dict:
    return {
        "at": event.created_at,
        "kind": event.kind,
        "from_state": event.from_state,
        "to_state": event.to_state,
        # Other notes are the staff's words (and a farm's reason is `cancel_reason`).
        "batch_code": event.note if event.kind == OrderEventKind.RECALL else None,
    }


def _line(line, origins) -> dict:
    return {
        "product_name": line.product_name,
        "variant_id": line.variant_id,
        "unit_label": translate_unit_label(line.unit_label),
        "unit_price_vnd": line.unit_price_vnd,
        "quantity": line.quantity,
        "line_total_vnd": line.line_total_vnd,
        "ships_on": line.ships_on,
        "sold_by_weight": line.sold_by_weight,
        "estimated_grams": line.estimated_grams,
        "actual_grams": line.actual_grams,
        "final_total_vnd": final_line_vnd(line),
        "origins": [
            {
                "batch_id": batch.id,
                "code": batch.code,
                "trace_url": absolute_url("trace.trace_batch", batch_ref=str(batch.id)),
            }
            for batch in origins.get(line.id, ())
        ],
    }


@blp.route(f"/orders/<{ROW_ID}:order_id>")
@authorized(blp, SCOPE)
@blp.response(200, PurchaseSchema)
@blp.alt_response(404, response="NOT_FOUND")
def my_order(order_id: int):
    """One of the caller's orders.

    With its lines, totals, payment and fulfilment states and timeline. An order that is
    not the caller's is 404, like one that does not exist.
    """
    order = db.session.scalar(
        _of_caller()
        .where(Order.id == order_id)
        .options(
            selectinload(Order.farm),
            selectinload(Order.lines),
            selectinload(Order.events),
        )
    )
    if order is None:
        raise NotFound(f"order {order_id}")
    origins = batches_of_lines(line.id for line in order.lines)
    return {
        **_summary(order),
        "pay_before": order.pay_before,
        "cancel_reason": order.cancel_reason,
        "weight_adjustment_vnd": order.weight_adjustment_vnd,
        "final_total_vnd": order.total_vnd + order.weight_adjustment_vnd,
        "shipping": {"carrier": order.carrier, "tracking_number": order.tracking_number},
        "lines": [_line(line, origins) for line in order.lines],
        "timeline": [_entry(event) for event in order.events],
    }
