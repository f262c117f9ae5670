"""What the orders tell the farms' and operators' webhook endpoints (app.webhooks): placed,
paid, cancelled, shipped. One event per farm order; the payload holds what the farm's order
page shows about the order itself, without the buyer's name, phone or address."""

from __future__ import annotations

from app.webhooks import EventType, publish, rfc3339
from orders.models import Order
from orders.states import OrderStatus, PaymentStatus

#: The order states announced by move_order. SHIPPED is announced by ship_order instead,
#: once the carrier and tracking number are written (it is the only way to ship).
STATUS_EVENTS = {OrderStatus.CANCELLED: EventType.ORDER_CANCELLED}


def order_payload(order: Order) -> dict:
    return {
        "order": {
            "id": order.id,
            "number": order.number,
            "farm_id": order.farm_id,
            "status": order.status,
            "payment_status": order.payment_status,
            "payment_method": order.payment_method,
            "delivery_method": order.delivery_method,
            "subtotal_vnd": order.subtotal_vnd,
            "delivery_fee_vnd": order.delivery_fee_vnd,
            "total_vnd": order.total_vnd,
            "carrier": order.carrier,
            "carrier_code": order.carrier_code,
            "tracking_number": order.tracking_number,
            "placed_at": rfc3339(order.created_at),
            "lines": [
                {
                    "product_name": line.product_name,
                    "unit": line.unit_label,
                    "quantity": line.quantity,
                    "unit_price_vnd": line.unit_price_vnd,
                    "line_total_vnd": line.line_total_vnd,
                }
                for line in order.lines
            ],
        }
    }


def _publish(order: Order, event_type: EventType) -> None:
    publish(
        event_type,
        order_payload(order),
        farm_id=order.farm_id,
        province_code=order.farm.province_code,
    )


def order_placed(order: Order) -> None:
    _publish(order, EventType.ORDER_PLACED)


def status_moved(order: Order, target: str) -> None:
    event_type = STATUS_EVENTS.get(OrderStatus(target))
    if event_type is not None:
        _publish(order, event_type)


def order_shipped(order: Order) -> None:
    _publish(order, EventType.ORDER_SHIPPED)


def payment_moved(order: Order, target: str) -> None:
    if target == PaymentStatus.PAID:
        _publish(order, EventType.ORDER_PAID)
