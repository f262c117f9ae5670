"""Mails to buyers about their orders, in the language they shopped in.

The action that changes the order queues its mail (queue_*): the mail is written at once,
inside the transaction (the order as the change leaves it), and sent once the transaction
commits (app.messaging: the outbox row is part of the change, the background worker sends
it and retries): never for a change that was rolled back or refused, and a mail that fails
never undoes the change. A checkout without an e-mail address (a
guest who gave only a phone) gets no mail.
"""

from __future__ import annotations

from enum import StrEnum

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.messaging import queue_mail
from orders.models import Checkout, Order


def _link(checkout: Checkout) -> str:
    if has_request_context():
        path = url_for("orders.checkout_page", token=checkout.access_token)
    else:  # a CLI command (expire-orders): build the path as a request would
        with current_app.test_request_context():
            path = url_for("orders.checkout_page", token=checkout.access_token)
    return current_app.config["BASE_URL"] + path


#: A mail ready to send: recipient, subject, body.
Mail = tuple[str, str, str]


def _send_after_commit(mail: Mail | None, *, kind: str, user_id: int | None) -> bool:
    """Put `mail` in the outbox, sent once the transaction commits; False when there is none
    (no e-mail address)."""
    if mail is None:
        return False
    queue_mail(*mail, kind=kind, user_id=user_id)
    return True


def checkout_placed_mail(checkout: Checkout) -> Mail | None:
    if not checkout.contact_email:
        return None
    with force_locale(checkout.language):
        subject = _(
            "Your order at Nông Sản Số: %(numbers)s",
            numbers=", ".join(o.number for o in checkout.orders),
        )
        body = render_template("orders/mail/placed.txt", checkout=checkout, link=_link(checkout))
    return checkout.contact_email, subject, body


def queue_checkout_placed(checkout: Checkout) -> None:
    """Confirm the checkout to the buyer once it is committed."""
    _send_after_commit(
        checkout_placed_mail(checkout), kind="order_placed", user_id=checkout.buyer_id
    )


class OrderUpdate(StrEnum):
    """The changes a buyer hears about by mail."""

    PAID = "paid"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


#: What each update says, by the kind of change.
UPDATE_SUBJECTS = {
    OrderUpdate.PAID: lambda number: _("Payment received for order %(number)s", number=number),
    OrderUpdate.SHIPPED: lambda number: _("Order %(number)s is on its way", number=number),
    OrderUpdate.CANCELLED: lambda number: _("Order %(number)s is cancelled", number=number),
    OrderUpdate.REFUNDED: lambda number: _("Order %(number)s is refunded", number=number),
}


def queue_order_update(order: Order, update: OrderUpdate) -> None:
    """Tell the buyer about the change once it is committed (nothing if it is rolled back)."""
    _send_after_commit(
        order_update_mail(order, update),
        kind=f"order_{update}",
        user_id=order.checkout.buyer_id,
    )


def order_update_mail(order: Order, kind: str) -> Mail | None:
    # Imported here: payouts reaches the services (through stripe_payments), which import
    # this module to queue their mails.
    from orders.payouts import refund_amounts

    checkout = order.checkout
    if not checkout.contact_email or kind not in UPDATE_SUBJECTS:
        return None
    with force_locale(checkout.language):
        subject = UPDATE_SUBJECTS[kind](order.number)
        body = render_template(
            "orders/mail/update.txt",
            order=order,
            kind=kind,
            link=_link(checkout),
            # What the buyer sent: a transfer of the wrong amount is refunded as it came.
            refund_vnd=refund_amounts([order])[order.id],
        )
    return checkout.contact_email, subject, body


def queue_recall_mail(order: Order, *, batch_code: str, product_name: str, reason: str) -> bool:
    """Once the recall is committed, tell the buyer (nothing if it is rolled back). False
    when the buyer left no e-mail address."""
    return _send_after_commit(
        recall_mail(order, batch_code=batch_code, product_name=product_name, reason=reason),
        kind="order_recall",
        user_id=order.checkout.buyer_id,
    )


def recall_mail(order: Order, *, batch_code: str, product_name: str, reason: str) -> Mail | None:
    """A batch the buyer received was recalled: what it was, why, and what to do."""
    checkout = order.checkout
    if not checkout.contact_email:
        return None
    with force_locale(checkout.language):
        subject = _(
            "Recall: %(product)s in order %(number)s was recalled",
            product=product_name,
            number=order.number,
        )
        body = render_template(
            "orders/mail/recall.txt",
            order=order,
            batch_code=batch_code,
            product_name=product_name,
            reason=reason,
            link=_link(checkout),
        )
    return checkout.contact_email, subject, body
