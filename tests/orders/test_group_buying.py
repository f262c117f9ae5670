"""Group buying's services: opening an offer, joining it, and what is refused (changing
nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from freezegun import freeze_time

from app.clock import local_today
from app.db import utcnow
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from orders import services as orders
from orders.group_buying import services
from orders.group_buying.joining import GroupClosed
from orders.group_buying.progress import progress_of
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.group_factories import (
    DELIVERY_FEE,
    GROUP_PRICE,
    USUAL_PRICE,
    buyer_contact,
    join,
    make_offer,
)
from tests.orders.vouchers.factories import make_voucher
from tests.products.factories import make_product, variant_fields
from tests.support.snapshots import database_snapshot


@pytest.fixture(autouse=True)
def in_english(app):
    """The refusals' messages read in English here (the services' default is Vietnamese)."""
    with app.test_request_context(), force_locale("en"):
        yield


def _open(variant, actor, **changes):
    fields = {
        "group_price_vnd": "90.000",
        "goal": "buyers",
        "min_count": "3",
        "max_boxes": None,
        "deadline": utcnow() + timedelta(hours=24),
        "now": utcnow(),
    }
    fields.update(changes)
    return services.open_offer(variant, actor, **fields)


@pytest.fixture
def variant(app):
    farm = deliver_everywhere(make_farm())
    variant = make_product(farm, prices=(USUAL_PRICE,)).variants[0]
    variant.stock = 25
    return variant


def test_a_farmer_opens_an_offer_on_their_variant(variant):
    owner = variant.product.farm.members[0].user
    offer = _open(variant, owner)
    assert (offer.status, offer.group_price_vnd, offer.min_count) == ("open", 90000, 3)
    assert offer.max_boxes == 25  # the stock, when left empty
    assert offer.farm_id == variant.product.farm_id and offer.created_by == owner


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"group_price_vnd": "120.000"}, "group_price_vnd"),  # not below the usual price
        ({"group_price_vnd": "0"}, "group_price_vnd"),
        ({"group_price_vnd": "9,5"}, "group_price_vnd"),
        ({"goal": "friends"}, "goal"),
        ({"min_count": "1"}, "min_count"),
        ({"min_count": "ba"}, "min_count"),
        ({"goal": "boxes", "min_count": "30"}, "max_boxes"),  # more than the 25 boxes
        ({"max_boxes": "0"}, "max_boxes"),
        ({"deadline": None}, "deadline"),
        ({"deadline": utcnow() + timedelta(minutes=30)}, "deadline"),
        ({"deadline": utcnow() + timedelta(days=8)}, "deadline"),
        ({"deadline": utcnow() - timedelta(hours=1)}, "deadline"),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_stored(variant, changes, field):
    owner = variant.product.farm.members[0].user
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        _open(variant, owner, **changes)
    assert refused.value.field == field
    assert database_snapshot() == before


def test_one_open_offer_per_variant(variant):
    owner = variant.product.farm.members[0].user
    _open(variant, owner)
    before = database_snapshot()
    with pytest.raises(DomainError, match="already has an open group offer"):
        _open(variant, owner)
    assert database_snapshot() == before


def test_another_farms_farmer_or_a_buyer_cannot_open_an_offer(variant):
    strangers = (make_farm().members[0].user, make_user())
    before = database_snapshot()
    for stranger in strangers:
        with pytest.raises(PermissionDenied):
            _open(variant, stranger)
    assert database_snapshot() == before


def test_no_stock_needs_a_number_of_boxes(variant):
    variant.stock = 0
    owner = variant.product.farm.members[0].user
    with pytest.raises(DomainError, match="no stock"):
        _open(variant, owner)
    assert _open(variant, owner, max_boxes="10").max_boxes == 10


def test_joining_places_an_order_at_the_group_price(app):
    offer = make_offer()
    order = join(offer, 1, quantity=2, payment_method="bank_transfer")
    assert order.group_offer_id == offer.id
    line = order.lines[0]
    assert (line.unit_price_vnd, line.line_total_vnd) == (GROUP_PRICE, 2 * GROUP_PRICE)
    assert order.total_vnd == 2 * GROUP_PRICE + DELIVERY_FEE
    assert order.status == "awaiting_payment"
    # The usual time to pay, not cut at the offer's deadline (see services' docstring).
    waited = order.pay_before - order.created_at
    assert timedelta(hours=24) - timedelta(seconds=5) < waited <= timedelta(hours=24)
    db.session.refresh(offer.variant)
    assert offer.variant.stock == 38
    [progress] = progress_of([offer])
    assert (progress.buyers, progress.boxes, progress.joined) == (1, 2, 1)


def test_the_count_is_buyers_or_boxes_of_live_orders(app):
    by_boxes = make_offer(goal="boxes", min_count=5)
    join(by_boxes, 1, quantity=3)
    second = join(by_boxes, 2, quantity=2)
    assert progress_of([by_boxes])[0].joined == 5
    orders.cancel_by_buyer(second, None, access_token=second.checkout.access_token)
    [progress] = progress_of([by_boxes])
    assert (progress.joined, progress.buyers, progress.reached) == (3, 1, False)


def test_a_buyer_cancelling_may_join_again(app):
    offer = make_offer()
    first = join(offer, 1)
    orders.cancel_by_buyer(first, None, access_token=first.checkout.access_token)
    assert join(offer, 1).status == "confirmed"


def _refused_join(offer, error, match, **kw):
    before = database_snapshot()
    db.session.refresh(offer.variant)
    stock = offer.variant.stock
    with pytest.raises(error, match=match):
        with db.session.begin_nested():
            join(offer, **kw)
    assert database_snapshot() == before
    db.session.refresh(offer.variant)
    assert offer.variant.stock == stock


def test_a_second_order_by_the_same_phone_or_account_is_refused(app):
    offer = make_offer()
    buyer = make_user()
    join(offer, 1)
    join(offer, 2, buyer=buyer)
    _refused_join(offer, DomainError, "already joined", n=1)
    # The same account at another phone, a guest at the account's phone.
    _refused_join(offer, DomainError, "already joined", n=3, buyer=buyer)
    _refused_join(offer, DomainError, "already joined", contact=buyer_contact(2))


def test_joining_after_the_deadline_is_refused(app):
    offer = make_offer(hours=2)
    with freeze_time(offer.deadline + timedelta(seconds=1)):
        _refused_join(offer, GroupClosed, "has closed", n=1)


def test_joining_a_closed_offer_is_refused(app):
    offer = make_offer()
    offer.status = "failed"
    db.session.flush()
    _refused_join(offer, GroupClosed, "has closed", n=1)


def test_joining_past_the_offers_boxes_is_refused(app):
    offer = make_offer(max_boxes="3")
    join(offer, 1, quantity=2)
    _refused_join(offer, DomainError, "Only 1 left at the group price", n=2, quantity=2)
    join(offer, 2, quantity=1)


def test_joining_a_sold_out_variant_is_refused(app):
    offer = make_offer(stock=2, max_boxes="5")
    _refused_join(offer, orders.SoldOut, "Only 2", n=1, quantity=3)


def test_a_join_reviewed_at_the_usual_price_or_another_total_is_refused(app):
    offer = make_offer()
    before = database_snapshot()
    contact = buyer_contact(1)
    for shown, total in [(USUAL_PRICE, GROUP_PRICE + DELIVERY_FEE), (GROUP_PRICE, GROUP_PRICE)]:
        with pytest.raises(orders.PricesChanged):
            with db.session.begin_nested():
                services.join_offer(
                    offer,
                    1,
                    buyer=None,
                    contact=contact,
                    payment_method="cod",
                    shown_prices={offer.variant_id: shown},
                    today=local_today(),
                    reviewed_totals={offer.farm_id: total},
                )
    assert database_snapshot() == before


def test_a_group_order_holds_only_the_offers_variant(app):
    offer = make_offer()
    other = make_product(offer.farm, prices=(50000,)).variants[0]
    before = database_snapshot()
    with pytest.raises(DomainError, match="offer's product only"):
        orders.place_order(
            {offer.variant_id: 1, other.id: 1},
            buyer=None,
            contact=buyer_contact(1),
            payment_method="cod",
            shown_prices={offer.variant_id: GROUP_PRICE, other.id: 50000},
            today=local_today(),
            group_offer=offer,
        )
    assert database_snapshot() == before


def test_an_order_waiting_for_its_group_is_not_packed(app):
    offer = make_offer()
    order = join(offer, 1)
    farmer = offer.farm.members[0].user
    with pytest.raises(DomainError, match="waits for its group offer"):
        orders.pack_order(order, farmer)
    assert order.status == "confirmed"
    offer.status = "succeeded"
    db.session.flush()
    orders.pack_order(order, farmer)
    assert order.status == "packed"


def test_a_variant_on_an_open_offer_is_not_removed_until_the_offer_closes(app):
    from products import services as products

    offer = make_offer()
    product = offer.variant.product
    farmer = offer.farm.members[0].user
    products.add_variant(product, farmer, **variant_fields(price_vnd="50000"))
    order = join(offer, 1)
    before = database_snapshot()
    with pytest.raises(DomainError, match="on a group offer until"):
        with db.session.begin_nested():
            products.remove_variant(offer.variant, farmer)
    db.session.expire_all()
    assert database_snapshot() == before
    assert order.group_offer_id == offer.id

    offer.status = "failed"
    db.session.flush()
    products.remove_variant(offer.variant, farmer)
    assert len(product.variants) == 1


def test_no_join_once_the_usual_price_fell_to_the_group_price(app):
    offer = make_offer()
    offer.variant.price_vnd = GROUP_PRICE
    db.session.flush()
    _refused_join(offer, DomainError, "as low as the group price", n=1)


def test_a_voucher_does_not_stack_on_the_group_price(app):
    offer = make_offer()
    buyer = make_user()
    make_voucher(offer.variant.product.farm, code="GIAM10")
    _refused_join(
        offer,
        DomainError,
        "Vouchers do not apply to group buying",
        n=1,
        buyer=buyer,
        voucher_code="GIAM10",
    )


def test_a_variant_sold_by_weight_has_no_group_offer(variant):
    variant.sold_by_weight, variant.price_per_kg_vnd = True, 100_000
    db.session.flush()
    farmer = variant.product.farm.members[0].user
    before = database_snapshot()
    with pytest.raises(DomainError, match="sold by weight"):
        _open(variant, farmer)
    assert database_snapshot() == before


def test_no_join_once_the_variant_is_sold_by_weight(app):
    offer = make_offer()
    offer.variant.sold_by_weight, offer.variant.price_per_kg_vnd = True, 100_000
    db.session.flush()
    _refused_join(offer, DomainError, "sold by weight", n=1)
