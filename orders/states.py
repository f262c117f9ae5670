"""Order and payment states, and the one function allowed to move an order between them.

Order state (fulfilment) and payment state are kept apart, as Open Food Network keeps
payment_state and shipment_state: a cash-on-delivery order is confirmed while unpaid, a
bank-transfer order waits for its money before the farm packs it.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class OrderStatus(enum.StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    CONFIRMED = "confirmed"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    #: A transfer arrived with the wrong amount; a person must look at it.
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    #: Money arrived for an order that was already cancelled: it goes back to the buyer.
    REFUND_NEEDED = "refund_needed"
    REFUNDED = "refunded"


class PaymentMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH_ON_DELIVERY = "cod"
    STRIPE = "stripe"


#: Where an order may go from each state. Cancelling is possible until the box leaves the
#: farm; a refund follows a cancellation or a delivered order that went wrong.
ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.AWAITING_PAYMENT: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.PACKED, OrderStatus.CANCELLED}),
    OrderStatus.PACKED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.COMPLETED, OrderStatus.REFUNDED}),
    OrderStatus.COMPLETED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
}

#: States in which the order still holds stock; leaving them for CANCELLED gives it back.
HOLDS_STOCK = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PACKED})

#: The buyer may cancel on their own until the farm has packed the order.
BUYER_MAY_CANCEL = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED})


def can_move(current: str, target: str) -> bool:
    return OrderStatus(target) in ALLOWED_TRANSITIONS[OrderStatus(current)]


STATUS_LABELS = {
    OrderStatus.AWAITING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.CONFIRMED: _l("Confirmed"),
    OrderStatus.PACKED: _l("Packed"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.REFUNDED: _l("Refunded"),
}


def status_label(status: str):
    return STATUS_LABELS.get(status, status)


PAYMENT_STATUS_LABELS = {
    PaymentStatus.UNPAID: _l("Unpaid"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.NEEDS_REVIEW: _l("Payment to check"),
    PaymentStatus.FAILED: _l("Payment failed"),
    PaymentStatus.REFUND_NEEDED: _l("Refund needed"),
    PaymentStatus.REFUNDED: _l("Refunded"),
}


def payment_status_label(status: str):
    return PAYMENT_STATUS_LABELS.get(status, status)
