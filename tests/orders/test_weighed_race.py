"""Two packers weigh the same pomelo order at once on PostgreSQL: one wins, the other is told
the order changed, and the order keeps the winner's weights only."""

import threading
import time
import zlib

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.roles import Role
from app.errors import DomainError
from app.extensions import db
from app.messaging import OutboundMessage
from orders import payouts, services
from orders.events import OrderEventKind
from orders.models import LedgerEntry, Order, OrderEvent
from orders.stripe_payments import farm_balance
from tests.app.factories import make_user
from tests.conftest import make_test_app
from tests.orders.weighed_factories import make_pomelo, pay_by_card, pomelo_order
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

PACKERS = {"first": "2300", "second": "2500"}


@pytest.fixture
def weighed_order(database_factory, tmp_path, request):
    """A database of its own with committed data: each packer has its own connection."""
    name = f"weighed_race_{zlib.crc32(request.node.name.encode())}"
    app = make_test_app(database_factory("postgresql", name), str(tmp_path))
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


@pytest.mark.parametrize("lowering", ["lighter box", "cancellation"])
def test_a_payout_never_pays_out_what_a_refund_written_meanwhile_takes_back(
    weighed_order, lowering
):
    """A refund's ledger row holds a key-share lock on its farm's row (its foreign key) until
    it commits, and the payout's row lock on the farm waits for it: the payout of the whole
    balance, recorded meanwhile, then sees the refund and is refused."""
    app, (order_id, line_id, owner_id) = weighed_order
    with app.app_context():
        operator = make_user(Role.OPERATOR)
        db.session.commit()
        operator_id = operator.id
        farm = db.session.get(Order, order_id).farm
        balance_before = farm_balance(farm)
    refund_written = threading.Event()
    outcome: dict[str, str] = {}

    def pay_out_everything():
        refund_written.wait(timeout=30)
        with app.app_context():
            farm = db.session.get(Order, order_id).farm
            operator = db.session.get(User, operator_id)
            try:
                payouts.record_payout(farm, operator, str(balance_before), "FT-RACE")
                db.session.commit()
                outcome["payout"] = "paid"
            except DomainError:
                db.session.rollback()
                outcome["payout"] = "refused"

    payer = threading.Thread(target=pay_out_everything)
    payer.start()
    with app.app_context():
        order = db.session.get(Order, order_id)
        owner = db.session.get(User, owner_id)
        if lowering == "lighter box":
            services.pack_order(order, owner, actual_grams={line_id: "2300"})
        else:
            services.cancel_by_farm(order, owner, "hết hàng")
        refund_written.set()
        time.sleep(1)  # the payout runs now, before this commits
        db.session.commit()
    payer.join(timeout=60)

    assert outcome == {"payout": "refused"}
    with app.app_context():
        farm = db.session.get(Order, order_id).farm
        assert 0 <= farm_balance(farm) < balance_before
    assert ledger_mismatches_in(app) == []
