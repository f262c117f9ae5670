"""What a group offer's buyers and farm are told when it closes, in the current locale."""

from __future__ import annotations

from flask_babel import gettext as _

from app.i18n import format_vnd
from app.messaging.notices import Notice, one_line, short_text
from orders.buyer_notices import NAME_LIMIT
from orders.group_buying.models import GroupOffer, GroupOfferStatus
from orders.models import Order
from orders.states import PaymentStatus


def buyer_outcome_notice(order: Order, offer: GroupOffer, link: str, refund_vnd: int) -> Notice:
    """The group succeeded (the order goes ahead) or failed (the order is cancelled)."""
    product = one_line(order.lines[0].product_name, NAME_LIMIT)
    params = {"order_number": order.number, "product_name": product, "link": link}
    if offer.status == GroupOfferStatus.SUCCEEDED:
        kind = "group_succeeded"
        subject = _("The group succeeded: order %(number)s goes ahead", number=order.number)
        text = _(
            "Nông Sản Số: the group for %(product)s reached its goal. "
            "Order %(number)s goes ahead at the group price.",
            product=product,
            number=order.number,
        )
    else:
        kind = "group_failed"
        subject = _("The group did not succeed: order %(number)s is cancelled", number=order.number)
        text = _(
            "Nông Sản Số: the group for %(product)s did not reach its goal. "
            "Order %(number)s is cancelled.",
            product=product,
            number=order.number,
        )
        if order.payment_status == PaymentStatus.REFUND_NEEDED:
            params["amount"] = format_vnd(refund_vnd)
            text += " " + _("The %(amount)s you paid will be refunded.", amount=params["amount"])
    return Notice(
        kind=kind,
        subject=subject,
        mail_body=f"{text}\n\n{link}\n",
        text=short_text(text, link),
        params=params,
    )


def farm_outcome_notice(offer: GroupOffer, joined: int, link: str) -> Notice:
    product = one_line(offer.variant.product.name, NAME_LIMIT)
    params = {
        "product_name": product,
        "joined": str(joined),
        "needed": str(offer.min_count),
        "link": link,
    }
    if offer.status == GroupOfferStatus.SUCCEEDED:
        kind = "farm_group_succeeded"
        subject = _("Your group offer for %(product)s succeeded", product=product)
        text = _(
            "Nông Sản Số: the group offer for %(product)s succeeded (%(joined)d of %(needed)d). "
            "Pack its orders.",
            product=product,
            joined=joined,
            needed=offer.min_count,
        )
    else:
        kind = "farm_group_failed"
        subject = _("Your group offer for %(product)s did not succeed", product=product)
        text = _(
            "Nông Sản Số: the group offer for %(product)s closed with %(joined)d of "
            "%(needed)d; its orders are cancelled.",
            product=product,
            joined=joined,
            needed=offer.min_count,
        )
    return Notice(
        kind=kind,
        subject=subject,
        mail_body=f"{text}\n\n{link}\n",
        text=short_text(text, link),
        params=params,
    )
