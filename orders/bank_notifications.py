"""The bank tells us about credits to farms' accounts: HMAC-signed, timestamped, once each.

The bank (or the aggregator in front of it) POSTs JSON `{"id", "amount", "description"}` with
two headers: `X-Nongsan-Timestamp` (Unix seconds) and `X-Nongsan-Signature`, the hex HMAC-SHA256
of `"<timestamp>.<raw body>"` under the shared secret `BANK_WEBHOOK_SECRET`. A stale timestamp,
a bad signature or a malformed body is refused; a transaction id seen before changes nothing.
An exact amount with an order number in the description pays that order; a partial or excess
amount is kept and flagged for a person to review.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from orders.models import BankCredit, Order
from orders.services import move_order, set_payment_status
from orders.states import OrderStatus, PaymentStatus

#: How far the sender's clock may be from ours before a notification counts as a replay.
TOLERANCE_SECONDS = 300
ORDER_NUMBER = re.compile(r"NS\d{6,}")


class RejectedNotification(Exception):
    """The request is not a genuine, fresh notification; answer 400 and change nothing."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None
) -> dict:
    """The notification's JSON, once its signature and freshness are checked."""
    if not secret or not timestamp or not signature:
        raise RejectedNotification("missing signature")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise RejectedNotification("bad timestamp") from exc
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_SECONDS:
        raise RejectedNotification("stale timestamp")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        raise RejectedNotification("bad signature")
    try:
        data = json.loads(body)
        transaction_id = str(data["id"])[:64]
        amount = data["amount"]
        description = str(data.get("description", ""))[:500]
    except (ValueError, KeyError, TypeError) as exc:
        raise RejectedNotification("malformed body") from exc
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0 or not transaction_id:
        raise RejectedNotification("bad amount")
    return {"id": transaction_id, "amount": amount, "description": description}


def record_credit(notification: dict) -> BankCredit | None:
    """Apply one verified credit; None when this transaction was already handled."""
    if db.session.scalar(
        select(BankCredit.id).where(BankCredit.transaction_id == notification["id"])
    ):
        return None
    compact = re.sub(r"[^A-Z0-9]", "", notification["description"].upper())
    numbers = ORDER_NUMBER.findall(compact)
    order = db.session.scalar(select(Order).where(Order.number.in_(numbers))) if numbers else None
    credit = BankCredit(
        transaction_id=notification["id"],
        amount_vnd=notification["amount"],
        description=notification["description"],
        order=order,
        outcome=_settle(order, notification["amount"]),
    )
    db.session.add(credit)
    try:
        db.session.flush()
    except IntegrityError:  # the same notification arriving twice at the same moment
        db.session.rollback()
        return None
    return credit


def _settle(order: Order | None, amount: int) -> str:
    if order is None:
        return "unmatched"
    if order.payment_status == PaymentStatus.PAID:
        return "already_paid"
    if amount != order.total_vnd:
        outcome = "partial" if amount < order.total_vnd else "excess"
        set_payment_status(
            order,
            PaymentStatus.NEEDS_REVIEW,
            actor=None,
            note=f"bank credit of {amount} đồng ({outcome}); please review",
        )
        return outcome
    set_payment_status(order, PaymentStatus.PAID, actor=None, note="bank notification")
    if order.status == OrderStatus.AWAITING_PAYMENT:
        move_order(order, OrderStatus.CONFIRMED, actor=None, note="paid by bank transfer")
    return "paid"
