"""Opening group offers, joining them, and closing them at the deadline.

Joining is placing an order (orders.services.place_order with `group_offer=`): the same
checks, stock and payment as any checkout, at the group price. An order's time to pay is
the usual one (PAY_WITHIN), not cut at the offer's deadline: a buyer who joins a minute
before it still has time to pay. No unpaid order outlives a failed offer, since closing it
cancels every live order; a succeeded offer's unpaid orders go on waiting for their money
and expire as any order would.

Closing (close_offer) locks the offer's row, counts who joined, and claims the offer with a
compare-and-set from "open": of two workers (or a worker and a retry) only one closes it,
and an order being placed at that moment (it holds the same row lock) is either counted or
refused. Success lets the farm pack the orders; failure cancels each through
orders.services.cancel_for_group (stock back exactly once, payment owed back, a card sale
reversed so the order's ledger sums to zero).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.errors import DomainError, NotFound
from app.extensions import db
from app.i18n import format_vnd
from app.validation import parse_vnd, parse_whole_number
from farms.models import Farm
from farms.permissions import ensure_can_manage
from orders import services as orders
from orders.group_buying.joining import SOLD_BY_WEIGHT, GroupClosed
from orders.group_buying.models import GroupGoal, GroupOffer, GroupOfferStatus
from orders.group_buying.progress import NOT_JOINED, Progress, progress_of
from orders.models import Checkout, Order
from orders.notifications import queue_group_farm_outcome, queue_group_outcome
from products.models import Product, ProductStatus, Variant
from products.units import unit_label

log = logging.getLogger(__name__)

#: How soon and how late an offer may close after it opens.
SHORTEST = timedelta(hours=1)
LONGEST = timedelta(days=7)
#: Two buyers (or boxes) at least: a group of one is an ordinary discount.
SMALLEST_GROUP = 2


def open_offer(
    variant: Variant,
    actor: User,
    *,
    group_price_vnd,
    goal: str,
    min_count,
    deadline: datetime | None,
    max_boxes=None,
    now: datetime,
) -> GroupOffer:
    """A group offer on one of the actor's farm's variants; every figure checked first."""
    product = variant.product
    ensure_can_manage(actor, product.farm)
    if not product.is_published or product.is_sale_stopped:
        raise DomainError(_l("Only a product on sale can have a group offer."), field="variant")
    if variant.sold_by_weight:
        raise DomainError(SOLD_BY_WEIGHT, field="variant")
    price = parse_vnd(group_price_vnd, "group_price_vnd", _l("the group price"))
    if price >= variant.price_vnd:
        raise DomainError(
            _l("The group price must be below the usual price."), field="group_price_vnd"
        )
    if goal not in set(GroupGoal):
        raise DomainError(_l("Choose buyers or boxes."), field="goal")
    count = parse_whole_number(
        min_count, "min_count", _l("the minimum"), minimum=SMALLEST_GROUP, maximum=10_000
    )
    if max_boxes in (None, ""):
        most = variant.stock
        if most < 1:
            raise DomainError(
                _l("This variant has no stock: add stock or say how many boxes to offer."),
                field="max_boxes",
            )
    else:
        most = parse_whole_number(
            max_boxes, "max_boxes", _l("the most boxes"), minimum=1, maximum=100_000
        )
    if goal == GroupGoal.BOXES and most < count:
        raise DomainError(
            _l("The offer cannot sell fewer boxes than its minimum."), field="max_boxes"
        )
    if deadline is None or not now + SHORTEST <= deadline <= now + LONGEST:
        raise DomainError(
            _l("Choose a closing time between one hour and seven days from now."),
            field="deadline",
        )
    if open_offer_on(variant) is not None:
        raise DomainError(_l("This variant already has an open group offer."), field="variant")
    offer = GroupOffer(
        farm_id=product.farm_id,
        variant_id=variant.id,
        group_price_vnd=price,
        goal=goal,
        min_count=count,
        max_boxes=most,
        deadline=deadline,
        created_by=actor,
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # two farmers opening one at once: one wins
            db.session.add(offer)
    except IntegrityError as error:
        raise DomainError(
            _l("This variant already has an open group offer."), field="variant"
        ) from error
    return offer


def open_offer_on(variant: Variant) -> GroupOffer | None:
    return db.session.scalar(
        select(GroupOffer).where(
            GroupOffer.variant_id == variant.id, GroupOffer.status == GroupOfferStatus.OPEN
        )
    )


def variant_for(farm: Farm, actor: User, variant_id: int | None) -> Variant:
    """One of the farm's variants (NotFound for another farm's, whoever asks)."""
    ensure_can_manage(actor, farm)
    variant = db.session.get(Variant, variant_id) if variant_id else None
    if variant is None or variant.product.farm_id != farm.id:
        raise DomainError(_l("Choose one of your products."), field="variant")
    return variant


def variants_for_offers(farm: Farm, actor: User) -> list[tuple[Variant, str]]:
    """The farm's variants on sale, each named with its unit and usual price."""
    ensure_can_manage(actor, farm)
    variants = db.session.scalars(
        select(Variant)
        .join(Product)
        .where(Product.farm_id == farm.id, Product.status == ProductStatus.PUBLISHED)
        .order_by(Product.name, Variant.position, Variant.id)
        .options(selectinload(Variant.product))
    ).all()
    return [
        (
            variant,
            f"{variant.product.name} · {unit_label(variant)} · {format_vnd(variant.price_vnd)}",
        )
        for variant in variants
    ]


def offers_of_farm(farm: Farm, actor: User) -> list[Progress]:
    """The farm's offers, newest first, each with how many joined (three statements)."""
    ensure_can_manage(actor, farm)
    offers = db.session.scalars(
        select(GroupOffer)
        .where(GroupOffer.farm_id == farm.id)
        .order_by(GroupOffer.created_at.desc(), GroupOffer.id.desc())
        .options(selectinload(GroupOffer.variant).selectinload(Variant.product))
    ).all()
    return progress_of(list(offers))


def offer_for_page(offer_id: int) -> Progress:
    """A public offer with what its page shows; NotFound once its product is off sale."""
    offer = db.session.scalar(
        select(GroupOffer)
        .where(GroupOffer.id == offer_id)
        .options(
            selectinload(GroupOffer.variant)
            .selectinload(Variant.product)
            .selectinload(Product.photos),
            selectinload(GroupOffer.farm),
        )
    )
    if offer is None:
        raise NotFound()
    product = offer.variant.product
    if not product.is_published or offer.farm.is_suspended:
        raise NotFound()
    return progress_of([offer])[0]


def quote_join(
    offer: GroupOffer, quantity: int, *, province_code: str, today: date, now: datetime
) -> orders.FarmQuote:
    """The review of a join: the line at the group price with its delivery fee, or why not."""
    if offer.status != GroupOfferStatus.OPEN or offer.deadline <= now:
        raise GroupClosed(_l("This group offer has closed: it takes no more orders."))
    return orders.quote(
        {offer.variant_id: quantity},
        province_code=province_code,
        today=today,
        unit_prices={offer.variant_id: offer.group_price_vnd},
    )[0]


def join_offer(offer: GroupOffer, quantity: int, **checkout) -> Checkout:
    """Place the buyer's order in the group (place_order's arguments, cart aside)."""
    return orders.place_order({offer.variant_id: quantity}, group_offer=offer, **checkout)


# Closing ----------------------------------------------------------------------------------


def due_offer_ids(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(GroupOffer.id)
            .where(GroupOffer.status == GroupOfferStatus.OPEN, GroupOffer.deadline <= now)
            .order_by(GroupOffer.id)
        )
    )


def close_offer(offer_id: int, now: datetime) -> GroupOffer | None:
    """Close one offer past its deadline; None when it was not due or someone closed it."""
    offer = db.session.get(GroupOffer, offer_id, with_for_update=True, populate_existing=True)
    if offer is None or offer.status != GroupOfferStatus.OPEN or offer.deadline > now:
        return None
    progress = progress_of([offer])[0]
    target = GroupOfferStatus.SUCCEEDED if progress.reached else GroupOfferStatus.FAILED
    claimed = db.session.execute(
        update(GroupOffer)
        .where(GroupOffer.id == offer.id, GroupOffer.status == GroupOfferStatus.OPEN)
        .values(status=target.value, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    set_committed_value(offer, "status", target.value)
    set_committed_value(offer, "closed_at", now)
    for order in _live_orders(offer):
        if target == GroupOfferStatus.FAILED and not _cancel(order):
            continue
        queue_group_outcome(order, offer)
    queue_group_farm_outcome(offer, progress.joined)
    return offer


def _live_orders(offer: GroupOffer) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.group_offer_id == offer.id, Order.status.not_in(NOT_JOINED))
            .order_by(Order.id)  # two closers would lock them in the same order
            .options(selectinload(Order.lines), selectinload(Order.checkout))
        )
    )


def _cancel(order: Order) -> bool:
    """Cancel one order of a failed offer in a savepoint: an order the buyer cancelled at
    the same moment stays as the buyer left it, and the others are still cancelled."""
    try:
        with db.session.begin_nested():
            orders.cancel_for_group(order, "group offer did not reach its minimum")
    except DomainError:
        log.info("group order %s changed meanwhile; left as it is", order.number)
        return False
    return True
