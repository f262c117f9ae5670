"""What placing and moving orders ask of a group offer (orders.services calls these).

A join is one line of the offer's variant at the group price, accepted only while the offer
is open and before its deadline, checked under a row lock of the offer: the closing job
claims the same row, so an order is either placed before the offer closes (and counted by
the job) or refused; never placed into a closed offer.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.i18n import format_local_datetime
from orders.group_buying.models import GroupOffer, GroupOfferStatus
from orders.group_buying.progress import NOT_JOINED, joined_counts
from orders.models import Checkout, Order
from orders.states import OrderStatus

#: A weighed variant is charged by the weight packed at its price per kg, which knows no
#: group price: it is not sold in groups.
SOLD_BY_WEIGHT = _l("A product sold by weight cannot be sold in a group offer.")


class GroupClosed(DomainError):
    """The offer closed (or its deadline passed) before the order was placed."""


def group_prices(
    offer: GroupOffer, cart: dict[int, int], *, buyer: User | None, phone: str, now: datetime
) -> dict[int, int]:
    """The unit price of the cart's one line at the group price, once the locked offer is
    found open, the buyer has no live order in it and enough boxes are left."""
    db.session.refresh(offer, with_for_update=True)
    if list(cart) != [offer.variant_id]:
        raise DomainError(_l("A group order holds the offer's product only."))
    if offer.status != GroupOfferStatus.OPEN or offer.deadline <= now:
        raise GroupClosed(_l("This group offer has closed: it takes no more orders."))
    if offer.variant.sold_by_weight:  # made weighed after the offer opened
        raise DomainError(SOLD_BY_WEIGHT)
    if offer.variant.price_vnd <= offer.group_price_vnd:  # the farm lowered its usual price
        raise DomainError(
            _l("The usual price is now as low as the group price: buy it from the product page.")
        )
    if _has_joined(offer, buyer, phone):
        raise DomainError(
            _l("You have already joined this group offer: your order is on your orders page.")
        )
    boxes = joined_counts([offer.id]).get(offer.id, (0, 0))[1]
    left = offer.max_boxes - boxes
    if cart[offer.variant_id] > left:
        raise DomainError(
            _l("Only %(n)d left at the group price.", n=max(left, 0)), field="quantity"
        )
    return {offer.variant_id: offer.group_price_vnd}


def _has_joined(offer: GroupOffer, buyer: User | None, phone: str) -> bool:
    """A live order of this offer by the same account, or at the same phone."""
    same = Checkout.contact_phone == phone
    if buyer is not None:
        same = or_(same, Checkout.buyer_id == buyer.id)
    return (
        db.session.scalar(
            select(Order.id)
            .join(Checkout, Order.checkout_id == Checkout.id)
            .where(Order.group_offer_id == offer.id, Order.status.not_in(NOT_JOINED), same)
            .limit(1)
        )
        is not None
    )


def refuse_packing_while_open(order: Order, target: str) -> None:
    """An order of a group that has not succeeded is not packed (nor shipped): the group
    may still fail and cancel it."""
    if order.group_offer_id is None or target not in (OrderStatus.PACKED, OrderStatus.SHIPPED):
        return
    offer = db.session.get(GroupOffer, order.group_offer_id)
    if offer is not None and offer.status != GroupOfferStatus.SUCCEEDED:
        raise DomainError(
            _l(
                "Order %(number)s waits for its group offer, which closes at %(time)s: "
                "pack it once the group has succeeded.",
                number=order.number,
                time=format_local_datetime(offer.deadline, "HH:mm dd/MM/yyyy"),
            )
        )
