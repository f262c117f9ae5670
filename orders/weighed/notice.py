"""What the buyer is told once the farm weighed the order: each weighed line's estimate and
actual weight, the new total, and what happens to the difference."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from app.i18n import format_vnd
from app.messaging.notices import Notice, one_line, short_text
from orders.models import Order
from orders.weighed.amounts import Settlement, settlement

#: How much of the farm's name the short text keeps.
NAME_LIMIT = 30


def difference_text(order: Order, money: Settlement) -> str:
    """One sentence on what happens to the difference (the pages and the mail say it too)."""
    if money.adjustment_vnd == 0:
        return _("The weight matches the estimate: nothing changes.")
    if order.payment_method == "cod":
        return _("Pay %(amount)s in cash on delivery.", amount=format_vnd(money.final_total_vnd))
    if money.refund_due_vnd:
        return _(
            "%(amount)s you paid for the estimate will be refunded to you.",
            amount=format_vnd(money.refund_due_vnd),
        )
    if money.collect_on_delivery_vnd:
        return _(
            "Pay the remaining %(amount)s on delivery.",
            amount=format_vnd(money.collect_on_delivery_vnd),
        )
    return _("The farm covers the difference: you pay nothing more.")


def weights_notice(order: Order, link: str) -> Notice:
    money = settlement(order)
    farm = one_line(order.farm.name, NAME_LIMIT)
    total = format_vnd(money.final_total_vnd)
    difference = difference_text(order, money)
    text = _(
        "Nông Sản Số: %(farm)s weighed order %(number)s; new total %(total)s.",
        farm=farm,
        number=order.number,
        total=total,
    )
    return Notice(
        kind="order_weighed",
        subject=_(
            "Order %(number)s is weighed: new total %(total)s", number=order.number, total=total
        ),
        mail_body=render_template(
            "orders/mail/weighed.txt", order=order, money=money, difference=difference, link=link
        ),
        text=short_text(f"{text} {difference}", link),
        params={
            "order_number": order.number,
            "farm_name": farm,
            "total": total,
            "adjustment": format_vnd(money.adjustment_vnd),
            "link": link,
        },
    )
