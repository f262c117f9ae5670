"""Group buying on PostgreSQL, with real concurrent transactions: two workers closing the
same offer, and buyers joining at the very moment the closing job runs."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.messaging import OutboundMessage
from orders.group_buying import services
from orders.group_buying.models import GroupOffer
from orders.models import LedgerEntry, Order, OrderEvent
from products.models import Variant
from tests.conftest import make_test_app
from tests.orders.group_factories import join, make_offer
from tests.orders.weighed_factories import pay_by_card
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

STOCK = 30
_databases = itertools.count(1)


@pytest.fixture
def shop(database_factory, tmp_path):
    """A database of its own with committed data: each party has its own connection."""
    app = make_test_app(
        database_factory("postgresql", f"group_races_{next(_databases)}"),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 15, "max_overflow": 10},
    )
    upgrade_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def _offer_with(app, *, joined: int, min_count: int, payment="cod") -> tuple[int, int]:
    """An offer `joined` buyers already joined with one box each (by card: paid, so its
    failure owes each a refund): (offer id, variant id)."""
    with app.app_context():
        offer = make_offer(min_count=min_count, stock=STOCK)
        for n in range(1, joined + 1):
            order = join(offer, n, payment_method=payment)
            if payment == "stripe":
                pay_by_card(order)
        db.session.commit()
        return offer.id, offer.variant_id


def _together(parties) -> list:
    """Run each party in its own thread and application context, all released at once."""
    start = threading.Barrier(len(parties))
    results: list = [None] * len(parties)

    def run(index, party):
        with party[0].app_context():
            start.wait()
            results[index] = party[1]()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _closer(offer_id: int):
    def close():
        offer = db.session.get(GroupOffer, offer_id)
        closed = services.close_offer(offer_id, offer.deadline + timedelta(minutes=1))
        outcome = closed.status if closed else None
        db.session.commit()
        return outcome

    return close


@pytest.mark.postgres_only
@pytest.mark.parametrize("payment", ["cod", "stripe"])
def test_two_workers_closing_one_failed_offer_cancel_each_order_once(shop, payment):
    """By card, each order's sale is reversed once: its SALE and one REFUND of what was left,
    so the audit finds every order's ledger at 0."""
    offer_id, variant_id = _offer_with(shop, joined=2, min_count=3, payment=payment)
    outcomes = _together([(shop, _closer(offer_id)), (shop, _closer(offer_id))])
    assert sorted(outcomes, key=str) == [None, "failed"]
    with shop.app_context():
        assert db.session.get(Variant, variant_id).stock == STOCK  # given back exactly once
        orders = db.session.scalars(select(Order).where(Order.group_offer_id == offer_id)).all()
        assert [o.status for o in orders] == ["cancelled", "cancelled"]
        cancellations = db.session.scalar(
            select(func.count(OrderEvent.id)).where(
                OrderEvent.to_state == "cancelled", OrderEvent.kind == "status"
            )
        )
        assert cancellations == 2
        kinds = db.session.scalars(select(OutboundMessage.kind)).all()
        assert kinds.count("group_failed") == 2  # one per buyer (a guest: by e-mail)
        assert kinds.count("farm_group_failed") == 1  # the farm's owner, once
        if payment == "stripe":
            assert [o.payment_status for o in orders] == ["refund_needed"] * 2
            for order in orders:
                rows = db.session.execute(
                    select(LedgerEntry.kind, LedgerEntry.amount_vnd).where(
                        LedgerEntry.order_id == order.id
                    )
                ).all()
                # One refund: a second reversal would be a second one (the commission, if
                # the platform takes one, is part of what the refund brings back to 0)
                kinds = sorted(kind for kind, _ in rows if kind != "commission")
                assert kinds == ["refund", "sale"], rows
                assert dict(rows)["sale"] == order.total_vnd
                assert sum(amount for _, amount in rows) == 0
    assert ledger_mismatches_in(shop) == []


@pytest.mark.postgres_only
def test_two_workers_closing_one_succeeded_offer_tell_everyone_once(shop):
    offer_id, variant_id = _offer_with(shop, joined=3, min_count=3)
    outcomes = _together([(shop, _closer(offer_id)), (shop, _closer(offer_id))])
    assert sorted(outcomes, key=str) == [None, "succeeded"]
    with shop.app_context():
        assert db.session.get(Variant, variant_id).stock == STOCK - 3
        kinds = db.session.scalars(select(OutboundMessage.kind)).all()
        assert (kinds.count("group_succeeded"), kinds.count("farm_group_succeeded")) == (3, 1)
    assert ledger_mismatches_in(shop) == []


BUYERS = 8


@pytest.mark.postgres_only
@pytest.mark.parametrize("min_count", [3, 50])
def test_buyers_joining_as_the_job_closes_are_counted_or_refused_never_left_behind(shop, min_count):
    """With min 3, the offer succeeds or fails depending on who locks the offer first; with
    50 it fails. Either way every order placed is one the job saw: none is live in a failed
    offer, and the stock is what the live orders hold."""
    offer_id, variant_id = _offer_with(shop, joined=2, min_count=min_count)

    def buyer(n):
        def buy():
            offer = db.session.get(GroupOffer, offer_id)
            try:
                join(offer, n)
                db.session.commit()
                return "joined"
            except DomainError as refused:
                db.session.rollback()
                return "refused: " + str(refused.message)

        return buy

    parties = [(shop, buyer(n)) for n in range(10, 10 + BUYERS)] + [(shop, _closer(offer_id))]
    *joins, outcome = _together(parties)
    refused = [j for j in joins if j != "joined"]
    assert all("đã kết thúc" in j or "has closed" in j for j in refused), refused
    with shop.app_context():
        offer = db.session.get(GroupOffer, offer_id)
        assert offer.status == outcome
        orders = db.session.scalars(select(Order).where(Order.group_offer_id == offer_id)).all()
        assert len(orders) == 2 + joins.count("joined")
        live = [o for o in orders if o.status != "cancelled"]
        if offer.status == "failed":
            assert live == []
            assert all(o.stock_released_at is not None for o in orders)
        else:
            assert len(live) == len(orders)
        assert db.session.get(Variant, variant_id).stock == STOCK - len(live)
        if min_count == 50:
            assert offer.status == "failed"
    assert ledger_mismatches_in(shop) == []


@pytest.mark.postgres_only
def test_ten_buyers_racing_for_an_offer_of_four_boxes_get_four(shop):
    with shop.app_context():
        offer = make_offer(min_count=2, stock=STOCK, max_boxes="4")
        db.session.commit()
        offer_id, variant_id = offer.id, offer.variant_id

    def buyer(n):
        def buy():
            try:
                join(db.session.get(GroupOffer, offer_id), n)
                db.session.commit()
                return "joined"
            except DomainError as refused:
                db.session.rollback()
                return str(refused.message)

        return buy

    outcomes = _together([(shop, buyer(n)) for n in range(30, 40)])
    assert outcomes.count("joined") == 4
    assert all("Chỉ còn 0" in o for o in outcomes if o != "joined"), outcomes
    with shop.app_context():
        assert db.session.get(Variant, variant_id).stock == STOCK - 4
    assert ledger_mismatches_in(shop) == []


@pytest.mark.postgres_only
def test_two_farmers_opening_an_offer_on_one_variant_open_one(shop):
    with shop.app_context():
        offer = make_offer(min_count=2, stock=STOCK)
        variant_id = offer.variant_id
        offer.status = "failed"  # closed: the variant may have a new one
        db.session.commit()

    def open_one():
        variant = db.session.get(Variant, variant_id)
        try:
            services.open_offer(
                variant,
                variant.product.farm.members[0].user,
                group_price_vnd="80000",
                goal="buyers",
                min_count="2",
                deadline=utcnow() + timedelta(hours=24),
                now=utcnow(),
            )
            db.session.commit()
            return "opened"
        except DomainError as refused:
            db.session.rollback()
            return str(refused.message)

    outcomes = _together([(shop, open_one), (shop, open_one)])
    assert outcomes.count("opened") == 1, outcomes
    assert "already has an open group offer" in str(outcomes) or "đang có một đợt" in str(outcomes)
    with shop.app_context():
        count = select(func.count(GroupOffer.id)).where(
            GroupOffer.variant_id == variant_id, GroupOffer.status == "open"
        )
        assert db.session.scalar(count) == 1
    assert ledger_mismatches_in(shop) == []
