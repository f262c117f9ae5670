"""Two packers weigh the same pomelo order at once on PostgreSQL: one wins, the other is told
the order changed, and the order keeps the winner's weights only."""

import threading

import pytest
from sqlalchemy import func, select

from app.errors import DomainError
from app.extensions import db
from app.messaging import OutboundMessage
from orders import services
from orders.events import OrderEventKind
from orders.models import LedgerEntry, Order, OrderEvent
from tests.conftest import make_test_app
from tests.orders.weighed_factories import make_pomelo, pay_by_card, pomelo_order
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

PACKERS = {"first": "2300", "second": "2500"}


@pytest.fixture
def weighed_order(database_factory, tmp_path):
    """A database of its own with committed data: each packer has its own connection."""
    app = make_test_app(database_factory("postgresql", "weighed_race"), str(tmp_path))
    upgrade_schema(app)
    with app.app_context():
        order = pomelo_order(make_pomelo(), payment_method="stripe")
        pay_by_card(order)
        # Two phones of the farm (its owner logged in on both) pack at once.
        owner = order.farm.members[0].user
        db.session.commit()
        ids = order.id, order.lines[0].id, owner.id
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def test_of_two_packers_weighing_at_once_one_wins(weighed_order):
    app, (order_id, line_id, owner_id) = weighed_order
    start = threading.Barrier(len(PACKERS))
    outcomes: dict[str, str] = {}

    def pack(name: str, grams: str):
        with app.app_context():
            order = db.session.get(Order, order_id)
            owner = db.session.get(type(order.farm.members[0].user), owner_id)
            start.wait()
            try:
                services.pack_order(order, owner, actual_grams={line_id: grams})
                db.session.commit()
                outcomes[name] = "packed"
            except DomainError as refused:
                db.session.rollback()
                outcomes[name] = str(refused.message)

    threads = [threading.Thread(target=pack, args=item) for item in PACKERS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [name for name, outcome in outcomes.items() if outcome == "packed"]
    assert len(winners) == 1, outcomes
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "packed"
        assert order.lines[0].actual_grams == int(PACKERS[winners[0]])
        weights_events = db.session.scalar(
            select(func.count()).where(
                OrderEvent.order_id == order_id, OrderEvent.kind == OrderEventKind.WEIGHTS
            )
        )
        assert weights_events == 1
        notices = db.session.scalar(
            select(func.count()).where(OutboundMessage.kind == "order_weighed")
        )
        assert notices >= 1
        refunds = db.session.scalars(
            select(LedgerEntry.amount_vnd).where(
                LedgerEntry.order_id == order_id, LedgerEntry.kind == "refund"
            )
        ).all()
        # Only the lighter box (2,300 g of 2,400) owes a refund, and only once.
        assert refunds == ([-4500] if winners == ["first"] else [])
    assert ledger_mismatches_in(app) == []
