"""Card payments with Stripe Checkout, in đồng, and the signed webhook that settles them.

VND is a zero-decimal currency for Stripe: 125,000 ₫ is unit_amount=125000, never ×100.
An order counts as paid only when the webhook says so, never on the buyer's redirect back.
Every event id is handled once, and money collected for farms goes into the ledger. Money
for an order cancelled meanwhile (its boxes already back on sale) is not a sale: the order's
payment becomes "refund needed", the farm's balance does not move, and the farm and the
operators see it until the refund is recorded.
"""

from __future__ import annotations

from datetime import timedelta

import stripe
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.extensions import db
from farms.models import Farm
from orders.models import Checkout, LedgerEntry, LedgerKind, Order, ProcessedStripeEvent
from orders.notifications import FarmNotice, OrderUpdate, queue_farm_notice, queue_order_update
from orders.services import move_order, set_payment_status
from orders.states import OrderStatus, PaymentStatus

#: Stripe keeps a Checkout Session open for at least 30 minutes; ours lasts as long as the
#: order waits for its payment.
SESSION_LIFETIME = timedelta(hours=1)
#: Payment states a later event never changes: the money is in, or on its way back.
SETTLED = frozenset({PaymentStatus.PAID, PaymentStatus.REFUND_NEEDED, PaymentStatus.REFUNDED})


class StripeRejected(Exception):
    """The webhook request is not a genuine Stripe event; answer 400 and change nothing."""


def stripe_enabled() -> bool:
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_WEBHOOK_SECRET"))


def _client() -> stripe.StripeClient:
    # STRIPE_HTTP_CLIENT lets the tests answer Stripe's HTTP API without the network.
    return stripe.StripeClient(
        current_app.config["STRIPE_SECRET_KEY"],
        http_client=current_app.config.get("STRIPE_HTTP_CLIENT"),
    )


def start_checkout_session(checkout: Checkout, *, return_url: str) -> str:
    """Open a Stripe Checkout Session for every order of the checkout; its URL to redirect to."""
    session = _client().v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "client_reference_id": str(checkout.id),
            "customer_email": checkout.contact_email or None,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "vnd",
                        "unit_amount": order.total_vnd,  # whole đồng: VND has no minor unit
                        "product_data": {"name": f"{order.number} · {order.farm.name}"},
                    },
                }
                for order in checkout.orders
            ],
            "metadata": {"checkout_id": str(checkout.id)},
            "success_url": return_url,
            "cancel_url": return_url,
            "expires_at": int((utcnow() + SESSION_LIFETIME).timestamp()),
        }
    )
    checkout.stripe_session_id = session.id
    checkout.stripe_session_url = session.url
    db.session.flush()
    return session.url


def handle_webhook(payload: bytes, signature: str | None) -> str:
    """Verify and apply one event; what happened, for the response and the logs."""
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, current_app.config["STRIPE_WEBHOOK_SECRET"]
        )
    except (ValueError, TypeError, stripe.SignatureVerificationError) as exc:
        # TypeError: the library compares a forged signature with non-ASCII characters.
        raise StripeRejected(str(exc)) from exc
    db.session.add(ProcessedStripeEvent(event_id=event.id, event_type=event.type))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    session = event.data.object.to_dict()
    checkout = db.session.scalar(
        select(Checkout).where(Checkout.stripe_session_id == str(session.get("id")))
    )
    if checkout is None:
        return "unknown session"
    if event.type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if session.get("payment_status") != "paid":
            return "waiting"  # a delayed method: the async events settle it
        return _paid(checkout)
    if event.type in ("checkout.session.async_payment_failed", "checkout.session.expired"):
        _not_paid(checkout, failed=event.type.endswith("failed"))
        return "cancelled"
    return "ignored"


def _locked_orders(checkout: Checkout) -> list[Order]:
    """The checkout's orders, locked and fresh: a cancellation at the same moment waits."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.checkout_id == checkout.id)
            .order_by(Order.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _paid(checkout: Checkout) -> str:
    percent = current_app.config.get("PLATFORM_COMMISSION_PERCENT", 0)
    outcome = "paid"
    for order in _locked_orders(checkout):
        if order.payment_status in SETTLED:
            continue
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            set_payment_status(
                order,
                PaymentStatus.REFUND_NEEDED,
                actor=None,
                note=f"Stripe: {order.total_vnd} đồng paid after cancellation; refund the buyer",
            )
            queue_farm_notice(
                order, FarmNotice.PAYMENT_REVIEW, actor=None, amount_vnd=order.total_vnd
            )
            outcome = "refund_needed"
            continue
        set_payment_status(order, PaymentStatus.PAID, actor=None, note="Stripe")
        if order.status == OrderStatus.AWAITING_PAYMENT:
            move_order(order, OrderStatus.CONFIRMED, actor=None, note="paid by card")
        queue_order_update(order, OrderUpdate.PAID)
        queue_farm_notice(order, FarmNotice.PAID, actor=None)
        # On the farm's full price, a platform voucher's share included (orders.vouchers.ledger).
        commission = (order.total_vnd + order.platform_discount_vnd) * percent // 100
        db.session.add(
            LedgerEntry(
                farm_id=order.farm_id,
                order_id=order.id,
                kind=LedgerKind.SALE.value,
                amount_vnd=order.total_vnd,
                note=order.number,
            )
        )
        if commission:
            db.session.add(
                LedgerEntry(
                    farm_id=order.farm_id,
                    order_id=order.id,
                    kind=LedgerKind.COMMISSION.value,
                    amount_vnd=-commission,
                    note=f"{percent}%",
                )
            )
    db.session.flush()
    return outcome


def _not_paid(checkout: Checkout, *, failed: bool) -> None:
    for order in _locked_orders(checkout):
        if order.payment_status in SETTLED:
            continue
        if failed:
            set_payment_status(order, PaymentStatus.FAILED, actor=None, note="Stripe")
        if order.status == OrderStatus.AWAITING_PAYMENT:
            move_order(
                order,
                OrderStatus.CANCELLED,
                actor=None,
                note="card payment failed" if failed else "card payment not completed",
            )
            queue_order_update(order, OrderUpdate.CANCELLED)


def farm_balance(farm: Farm) -> int:
    """What the platform owes the farm from card payments, after commission and payouts."""
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_vnd), 0)).where(
            LedgerEntry.farm_id == farm.id
        )
    )
