"""What a buyer is told about their orders, written in the current locale: the mail (subject
and body) and the short text for Zalo and SMS with the Zalo template's values.

User text (farm, product and contact names, carrier, tracking number) goes into the mail as
plain text and into the short text on one line, cut so the text fits two SMS parts.
"""

from __future__ import annotations

from enum import StrEnum

from flask import render_template
from flask_babel import gettext as _

from app.i18n import format_vnd
from app.messaging.notices import Notice, one_line, short_text
from orders.carriers import order_tracking
from orders.models import Checkout, Order
from orders.states import PaymentMethod, PaymentStatus

#: How much of a name a short text or a Zalo value keeps.
NAME_LIMIT = 30


class OrderUpdate(StrEnum):
    """The changes a buyer hears about after placing the order."""

    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


#: What each update says, by the kind of change.
UPDATE_SUBJECTS = {
    OrderUpdate.PAID: lambda number: _("Payment received for order %(number)s", number=number),
    OrderUpdate.PACKED: lambda number: _("Order %(number)s is packed", number=number),
    OrderUpdate.SHIPPED: lambda number: _("Order %(number)s is on its way", number=number),
    OrderUpdate.DELIVERED: lambda number: _("Order %(number)s is delivered", number=number),
    OrderUpdate.CANCELLED: lambda number: _("Order %(number)s is cancelled", number=number),
    OrderUpdate.REFUNDED: lambda number: _("Order %(number)s is refunded", number=number),
}


def placed_notice(checkout: Checkout, link: str) -> Notice:
    numbers = ", ".join(order.number for order in checkout.orders)
    total = format_vnd(sum(order.total_vnd for order in checkout.orders))
    text = _(
        "Nông Sản Số: we have your order %(numbers)s, %(total)s.",
        numbers=one_line(numbers, 40),
        total=total,
    )
    if checkout.payment_method == PaymentMethod.BANK_TRANSFER:
        text += " " + _("Please pay by bank transfer within 24 hours.")
    return Notice(
        kind="order_placed",
        subject=_("Your order at Nông Sản Số: %(numbers)s", numbers=numbers),
        mail_body=render_template("orders/mail/placed.txt", checkout=checkout, link=link),
        text=short_text(text, link),
        params={
            "customer_name": one_line(checkout.contact_name, NAME_LIMIT),
            "order_numbers": one_line(numbers, 100),
            "total": total,
            "link": link,
        },
    )


def update_notice(order: Order, update: OrderUpdate, link: str, refund_vnd: int) -> Notice:
    """`refund_vnd`: what the buyer sent for the order (a transfer of the wrong amount is
    refunded as it came)."""
    farm = one_line(order.farm.name, NAME_LIMIT)
    params = {"order_number": order.number, "farm_name": farm, "link": link}
    if update == OrderUpdate.PAID:
        params["amount"] = format_vnd(order.total_vnd)
        text = _(
            "Nông Sản Số: %(farm)s received %(amount)s for order %(number)s. Thank you!",
            farm=farm,
            amount=params["amount"],
            number=order.number,
        )
    elif update == OrderUpdate.PACKED:
        text = _(
            "Nông Sản Số: %(farm)s has packed order %(number)s; it ships soon.",
            farm=farm,
            number=order.number,
        )
    elif update == OrderUpdate.SHIPPED:
        params["carrier"] = one_line(order.carrier or "", NAME_LIMIT)
        params["tracking_number"] = one_line(order.tracking_number or "", NAME_LIMIT)
        parcel = order_tracking(order)
        params["tracking_link"] = parcel.url if parcel else link
        text = _(
            "Nông Sản Số: order %(number)s is on its way with %(carrier)s.",
            number=order.number,
            carrier=params["carrier"],
        )
        if order.tracking_number:
            text += " " + _("Tracking number: %(tracking)s.", tracking=params["tracking_number"])
    elif update == OrderUpdate.DELIVERED:
        text = _(
            "Nông Sản Số: order %(number)s from %(farm)s is delivered. Enjoy!",
            number=order.number,
            farm=farm,
        )
    elif update == OrderUpdate.CANCELLED:
        text = _(
            "Nông Sản Số: order %(number)s from %(farm)s is cancelled.",
            number=order.number,
            farm=farm,
        )
        if order.payment_status == PaymentStatus.REFUND_NEEDED:
            params["amount"] = format_vnd(refund_vnd)
            text += " " + _("The %(amount)s you paid will be refunded.", amount=params["amount"])
    else:
        params["amount"] = format_vnd(refund_vnd)
        text = _(
            "Nông Sản Số: %(farm)s refunded %(amount)s for order %(number)s.",
            farm=farm,
            amount=params["amount"],
            number=order.number,
        )
    return Notice(
        kind=f"order_{update}",
        subject=UPDATE_SUBJECTS[update](order.number),
        mail_body=render_template(
            "orders/mail/update.txt", order=order, kind=update, link=link, refund_vnd=refund_vnd
        ),
        text=short_text(text, link),
        params=params,
    )


def recall_notice(
    order: Order, *, batch_code: str, product_name: str, reason: str, link: str
) -> Notice:
    """A batch the buyer received was recalled: what it was, why, and what to do."""
    product = one_line(product_name, NAME_LIMIT)
    text = _(
        "Nông Sản Số RECALL: %(product)s (batch %(batch)s) in order %(number)s. "
        "Do not eat it: %(reason)s",
        product=product,
        batch=batch_code,
        number=order.number,
        reason=one_line(reason, 40),
    )
    return Notice(
        kind="order_recall",
        subject=_(
            "Recall: %(product)s in order %(number)s was recalled",
            product=product_name,
            number=order.number,
        ),
        mail_body=render_template(
            "orders/mail/recall.txt",
            order=order,
            batch_code=batch_code,
            product_name=product_name,
            reason=reason,
            link=link,
        ),
        # The reason matters more than the link here: the link only if it still fits.
        text=short_text(text, link),
        params={
            "order_number": order.number,
            "product_name": product,
            "batch_code": batch_code,
            "reason": one_line(reason, 100),
            "link": link,
        },
    )


def order_link_notice(checkout: Checkout, link: str) -> Notice:
    numbers = ", ".join(order.number for order in checkout.orders)
    text = _(
        "Nông Sản Số: the link to your order %(numbers)s: %(link)s",
        numbers=one_line(numbers, 40),
        link=link,
    )
    return Notice(
        kind="order_link",
        subject=_("The link to your order %(numbers)s", numbers=numbers),
        mail_body=text + "\n",
        text=text,
        params={"order_numbers": one_line(numbers, 100), "link": link},
    )
