"""What a farm's people are told about its orders, written in the current locale: a short text
(the SMS, what operators read of a Zalo message, and the heart of the mail) with the Zalo
template's values, and a link to the farm's orders.
"""

from __future__ import annotations

from enum import StrEnum

from flask import render_template
from flask_babel import gettext as _

from app.i18n import format_vnd
from app.messaging.notices import Notice, one_line, short_text
from orders.buyer_notices import NAME_LIMIT
from orders.models import Order
from orders.states import OrderStatus, PaymentStatus


class FarmNotice(StrEnum):
    NEW_ORDER = "farm_new_order"
    PAID = "farm_order_paid"
    CANCELLED_BY_BUYER = "farm_order_cancelled"
    PAYMENT_REVIEW = "farm_payment_review"


def _first_line(order: Order) -> str:
    """What the order is, in a few words: its first line, and "…" when there are more."""
    line = order.lines[0]
    text = f"{line.quantity} × {one_line(line.product_name, NAME_LIMIT)}"
    return text + " …" if len(order.lines) > 1 else text


def farm_notice(notice: FarmNotice, order: Order, link: str, amount_vnd: int | None) -> Notice:
    """`amount_vnd`: the money that came (a payment to review: a transfer of the wrong
    amount, or money for an order cancelled meanwhile)."""
    number = order.number
    farm = one_line(order.farm.name, NAME_LIMIT)
    params = {"order_number": number, "farm_name": farm, "link": link}
    if notice == FarmNotice.NEW_ORDER:
        params["items"] = _first_line(order)
        params["total"] = format_vnd(order.total_vnd)
        subject = _("New order %(number)s for %(farm)s", number=number, farm=farm)
        # Without the farm's name (the subject, the link and Zalo's values carry it): the
        # SMS keeps room for what was ordered.
        text = _(
            "Nông Sản Số: new order %(number)s: %(items)s, %(total)s.",
            number=number,
            items=params["items"],
            total=params["total"],
        )
        if order.status == OrderStatus.AWAITING_PAYMENT:
            text += " " + _("Wait for the payment before packing.")
        elif order.group_offer_id is not None:  # orders.group_buying: the group may still fail
            text += " " + _("Pack it once its group offer succeeds.")
        else:
            text += " " + _("Ready to pack.")
    elif notice == FarmNotice.PAID:
        params["amount"] = format_vnd(order.total_vnd)
        subject = _("Order %(number)s is paid", number=number)
        text = _(
            "Nông Sản Số: order %(number)s is paid (%(amount)s). You can pack it.",
            number=number,
            amount=params["amount"],
        )
    elif notice == FarmNotice.CANCELLED_BY_BUYER:
        subject = _("The buyer cancelled order %(number)s", number=number)
        text = _(
            "Nông Sản Số: the buyer cancelled order %(number)s. Do not pack it.", number=number
        )
        if order.payment_status == PaymentStatus.REFUND_NEEDED:
            text += " " + _("Refund the buyer's payment.")
    else:
        params["amount"] = format_vnd(amount_vnd)
        params["total"] = format_vnd(order.total_vnd)
        subject = _("A payment for order %(number)s needs your review", number=number)
        if order.status == OrderStatus.CANCELLED:  # the boxes are back on sale
            text = _(
                "Nông Sản Số: %(amount)s came for order %(number)s, which is cancelled. "
                "Refund it to the buyer.",
                amount=params["amount"],
                number=number,
            )
        else:
            text = _(
                "Nông Sản Số: %(amount)s came for order %(number)s, whose total is %(total)s. "
                "Please review the payment.",
                amount=params["amount"],
                number=number,
                total=params["total"],
            )
    return Notice(
        kind=notice.value,
        subject=subject,
        mail_body=render_template("orders/mail/farm_notice.txt", text=text, link=link),
        text=short_text(text, link),
        params=params,
    )
