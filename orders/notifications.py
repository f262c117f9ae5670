"""Who hears about an order's changes: the buyer, and the farm's people, on their channels.

The action that changes the order queues its messages (queue_*): they are written at once,
inside the transaction (the order as the change leaves it), and sent once the transaction
commits (app.messaging: the outbox row is part of the change, the background worker sends
it and retries): never for a change that was rolled back or refused, and a message that fails
never undoes the change.

Each person is reached on the channels they chose (app.messaging.recipients), in their
language: an account by its preferences, a guest at the checkout's e-mail, else by Zalo at its
phone. A farm's people (owner and members) hear of a new order, a payment, a buyer's
cancellation and a payment to review; the member who made the change is not told of it.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

from app.auth.models import User
from app.messaging.notices import queue_notices
from app.messaging.recipients import (
    Recipient,
    every_channel,
    guest_recipients,
    user_recipients,
)
from orders.buyer_notices import (
    OrderUpdate,
    order_link_notice,
    placed_notice,
    recall_notice,
    update_notice,
)
from orders.farm_notices import FarmNotice, farm_notice
from orders.group_buying.models import GroupOffer
from orders.group_buying.notices import buyer_outcome_notice, farm_outcome_notice
from orders.models import Checkout, Order
from orders.weighed.notice import weights_notice

__all__ = [
    "FarmNotice",
    "OrderUpdate",
    "queue_checkout_placed",
    "queue_farm_notice",
    "queue_group_farm_outcome",
    "queue_group_outcome",
    "queue_order_update",
    "queue_recall_notice",
    "queue_weights_notice",
]


def _url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:  # a CLI command or a job (expire-orders): build the path as a request would
        with current_app.test_request_context():
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"] + path


def _link(checkout: Checkout) -> str:
    return _url("orders.checkout_page", token=checkout.access_token)


def buyer_recipients(checkout: Checkout) -> list[Recipient]:
    """The buyer's account by its choices (its e-mail is the one given at checkout), or the
    guest's contact details."""
    if checkout.buyer is not None:
        return user_recipients(checkout.buyer, email=checkout.contact_email)
    return guest_recipients(checkout.contact_email, checkout.contact_phone, checkout.language)


def farm_recipients(order: Order, *, actor: User | None) -> list[Recipient]:
    """The farm's owner and members, but not the one who made the change."""
    return [
        recipient
        for member in order.farm.members
        if member.user.is_active and (actor is None or member.user_id != actor.id)
        for recipient in user_recipients(member.user)
    ]


def queue_checkout_placed(checkout: Checkout) -> None:
    """Confirm the checkout to the buyer and tell each farm of its order, once committed."""
    link = _link(checkout)
    queue_notices(buyer_recipients(checkout), lambda: placed_notice(checkout, link))
    for order in checkout.orders:
        queue_farm_notice(order, FarmNotice.NEW_ORDER, actor=None)


def queue_order_update(order: Order, update: OrderUpdate) -> None:
    """Tell the buyer about the change once it is committed (nothing if it is rolled back)."""
    # Imported here: payouts reaches the services (through stripe_payments), which import
    # this module to queue their messages.
    from orders.payouts import refund_amounts

    checkout = order.checkout
    link = _link(checkout)
    refund_vnd = refund_amounts([order])[order.id]
    queue_notices(
        buyer_recipients(checkout), lambda: update_notice(order, update, link, refund_vnd)
    )


def queue_weights_notice(order: Order) -> None:
    """Weighed goods: tell the buyer the actual weights and the new total, once committed."""
    link = _link(order.checkout)
    queue_notices(buyer_recipients(order.checkout), lambda: weights_notice(order, link))


def queue_farm_notice(
    order: Order, notice: FarmNotice, *, actor: User | None, amount_vnd: int | None = None
) -> None:
    """Tell the farm's people (but `actor`) about the order once the change is committed."""
    link = _url("orders.farm_orders", farm_id=order.farm_id)
    queue_notices(
        farm_recipients(order, actor=actor), lambda: farm_notice(notice, order, link, amount_vnd)
    )


def queue_recall_notice(order: Order, *, batch_code: str, product_name: str, reason: str) -> bool:
    """Once the recall is committed, tell the buyer on every channel there is an address for
    (e-mail, Zalo and SMS at the checkout's phone), whatever they chose: food they may still
    eat was recalled. Nothing if the recall is rolled back. True when someone was told."""
    checkout = order.checkout
    language = checkout.buyer.preferred_language if checkout.buyer else checkout.language
    recipients = every_channel(
        checkout.contact_email, checkout.contact_phone, language, checkout.buyer_id
    )
    link = _link(checkout)
    told = queue_notices(
        recipients,
        lambda: recall_notice(
            order, batch_code=batch_code, product_name=product_name, reason=reason, link=link
        ),
    )
    return told > 0


def queue_order_link(checkout: Checkout) -> None:
    """Send the checkout's link (asked for on the order look-up page) to its buyer."""
    link = _link(checkout)
    queue_notices(buyer_recipients(checkout), lambda: order_link_notice(checkout, link))


# Group buying (orders.group_buying) --------------------------------------------------------


def queue_group_outcome(order: Order, offer: GroupOffer) -> None:
    """Tell the buyer whether the group offer the order joined succeeded or failed."""
    from orders.payouts import refund_amounts  # as in queue_order_update

    checkout = order.checkout
    link = _link(checkout)
    refund_vnd = refund_amounts([order])[order.id]
    queue_notices(
        buyer_recipients(checkout), lambda: buyer_outcome_notice(order, offer, link, refund_vnd)
    )


def queue_group_farm_outcome(offer: GroupOffer, joined: int) -> None:
    """Tell the farm's people how their group offer closed."""
    link = _url("group_buying.farm_offers", farm_id=offer.farm_id)
    recipients = [
        recipient
        for member in offer.farm.members
        if member.user.is_active
        for recipient in user_recipients(member.user)
    ]
    queue_notices(recipients, lambda: farm_outcome_notice(offer, joined, link))
