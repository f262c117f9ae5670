"""The bank tells us about credits to farms' accounts: HMAC-signed, timestamped, once each.

The bank (or the aggregator in front of it) POSTs JSON
`{"id", "amount", "account", "description"}`: the transaction id, the amount in đồng, the
number of the account credited and the transfer message. Two headers sign it:
`X-Nongsan-Timestamp` (Unix seconds) and `X-Nongsan-Signature`, the hex HMAC-SHA256 of
`"<timestamp>.<raw body>"` under the shared secret `BANK_WEBHOOK_SECRET`. A stale timestamp,
a bad signature or a malformed body is refused with 400; a transaction id seen before changes
nothing.

A credit pays an order only when everything agrees: one order number in the message, the
farm's own registered account, an order waiting for a bank transfer and the exact amount.
Anything else is kept with an outcome saying why, for a person to review, and changes no
order; money for an order cancelled meanwhile is marked to be refunded, never as a sale.
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
from orders.notifications import FarmNotice, OrderUpdate, queue_farm_notice, queue_order_update
from orders.services import move_order, set_payment_status
from orders.states import OrderStatus, PaymentMethod, PaymentStatus

#: How far the sender's clock may be from ours before a notification counts as a replay.
TOLERANCE_SECONDS = 300
#: An order number as people type it in a transfer message ("NS000123", "ns 000123",
#: "NS-000123"), standing on its own: the "NS" of "TRANS 000123" is not one.
ORDER_NUMBER = re.compile(r"(?<![A-Z0-9])NS[\s.\-_]*(\d{6,})")
#: The amount column holds 64 bits; a larger number cannot be a real credit.
MAX_AMOUNT = 2**63 - 1
#: Characters PostgreSQL cannot store (NUL) and other C0 controls.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: What a credit did; all but "paid" leave the order's fulfilment alone.
OUTCOMES = {
    "paid": "paid the order, which is confirmed",
    "partial": "less than the total: the order's payment waits for review",
    "excess": "more than the total: the order's payment waits for review",
    "unmatched": "no known order number in the message",
    "several_orders": "the message names more than one order",
    "wrong_account": "not credited to the account of the order's farm",
    "not_bank_transfer": "the order is paid another way (cash on delivery, card)",
    "already_paid": "the order was already paid",
    "not_awaiting": "the order is not waiting for a transfer",
    "refund_needed": "the order was cancelled: the money goes back to the buyer",
}


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
    # Unix seconds in ASCII digits: int() alone takes "²"-like digits and numbers past a float.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise RejectedNotification("bad timestamp")
    sent_at = int(timestamp)
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_SECONDS:
        raise RejectedNotification("stale timestamp")
    # As bytes: compare_digest refuses str with non-ASCII characters (a forged header).
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
        raise RejectedNotification("bad signature")
    return _parse(body)


def _parse(body: bytes) -> dict:
    try:
        data = json.loads(body)
        transaction_id = data["id"]
        amount = data["amount"]
        account = data["account"]
        description = data.get("description", "")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise RejectedNotification("malformed body") from exc
    if not isinstance(transaction_id, str | int) or isinstance(transaction_id, bool):
        raise RejectedNotification("malformed body")
    transaction_id = str(transaction_id)
    if (
        not transaction_id
        or len(transaction_id) > 64
        or CONTROL.search(transaction_id)
        or not _storable(transaction_id)
    ):
        raise RejectedNotification("bad transaction id")
    if not isinstance(account, str) or CONTROL.search(account):
        raise RejectedNotification("bad account")
    account = _compact(account)
    if not account or len(account) > 34:
        raise RejectedNotification("bad account")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise RejectedNotification("bad amount")
    # The message is free text typed by the payer: keep it, without what cannot be stored.
    description = CONTROL.sub(" ", "" if description is None else str(description))
    # A lone surrogate (an escaped "\ud800") is not UTF-8: the database would refuse it.
    description = description.encode("utf-8", "replace").decode()[:500]
    return {"id": transaction_id, "amount": amount, "account": account, "description": description}


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _compact(text: str) -> str:
    """Upper-case letters and digits only: how numbers are compared, whatever the spacing."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def record_credit(notification: dict) -> BankCredit | None:
    """Apply one verified credit; None when this transaction was already handled."""
    if db.session.scalar(
        select(BankCredit.id).where(BankCredit.transaction_id == notification["id"])
    ):
        return None
    numbers = {
        "NS" + digits for digits in ORDER_NUMBER.findall(notification["description"].upper())
    }
    order = None
    if len(numbers) == 1:
        # Locked: a second credit or a cancellation at the same moment waits for this one.
        order = db.session.scalar(select(Order).where(Order.number.in_(numbers)).with_for_update())
    credit = BankCredit(
        transaction_id=notification["id"],
        amount_vnd=notification["amount"],
        account_number=notification["account"],
        description=notification["description"],
        order=order,
        outcome="several_orders" if len(numbers) > 1 else _settle(order, notification),
    )
    db.session.add(credit)
    try:
        db.session.flush()
    except IntegrityError:  # the same notification arriving twice at the same moment
        db.session.rollback()
        return None
    return credit


def _settle(order: Order | None, notification: dict) -> str:
    amount = notification["amount"]
    if order is None:
        return "unmatched"
    farm_account = order.farm.bank_account
    if farm_account is None or _compact(farm_account.account_number) != notification["account"]:
        return "wrong_account"
    if order.payment_method != PaymentMethod.BANK_TRANSFER:
        return "not_bank_transfer"
    if order.payment_status == PaymentStatus.PAID:
        return "already_paid"
    if order.status == OrderStatus.CANCELLED and order.payment_status in (
        PaymentStatus.UNPAID,
        PaymentStatus.FAILED,
    ):
        set_payment_status(
            order,
            PaymentStatus.REFUND_NEEDED,
            actor=None,
            note=f"bank credit of {amount} đồng after cancellation; refund the buyer",
        )
        queue_farm_notice(order, FarmNotice.PAYMENT_REVIEW, actor=None, amount_vnd=amount)
        return "refund_needed"
    if order.status != OrderStatus.AWAITING_PAYMENT or order.payment_status != PaymentStatus.UNPAID:
        return "not_awaiting"
    if amount != order.total_vnd:
        outcome = "partial" if amount < order.total_vnd else "excess"
        set_payment_status(
            order,
            PaymentStatus.NEEDS_REVIEW,
            actor=None,
            note=f"bank credit of {amount} đồng ({outcome}); please review",
        )
        queue_farm_notice(order, FarmNotice.PAYMENT_REVIEW, actor=None, amount_vnd=amount)
        return outcome
    set_payment_status(order, PaymentStatus.PAID, actor=None, note="bank notification")
    move_order(order, OrderStatus.CONFIRMED, actor=None, note="paid by bank transfer")
    queue_order_update(order, OrderUpdate.PAID)
    queue_farm_notice(order, FarmNotice.PAID, actor=None)
    return "paid"
