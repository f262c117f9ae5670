"""Every (from, to) pair of order states, and every guarded payment change, as a table.

In the style of Indico's transaction tests: the expected tables are written out here, not
read from `orders/states.py`, so a change to the code's table (a state that stops holding
stock, a new way out of "awaiting payment") fails a test instead of passing silently.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from app.auth.models import User
from app.auth.roles import Role
from app.clock import local_today
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from orders import services
from orders.models import Order, OrderEvent
from orders.states import OrderStatus as S
from orders.states import PaymentStatus as P
from products.models import Product, Variant
from tests.app.factories import make_user
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

QUANTITY = 3

#: The transition table as the business wants it (never imported from the code under test).
ALLOWED = {
    (S.AWAITING_PAYMENT, S.CONFIRMED),
    (S.AWAITING_PAYMENT, S.CANCELLED),
    (S.CONFIRMED, S.PACKED),
    (S.CONFIRMED, S.CANCELLED),
    (S.PACKED, S.SHIPPED),
    (S.PACKED, S.CANCELLED),
    (S.SHIPPED, S.DELIVERED),
    (S.DELIVERED, S.COMPLETED),
    (S.DELIVERED, S.REFUNDED),
    (S.COMPLETED, S.REFUNDED),
    (S.CANCELLED, S.REFUNDED),
}
#: Cancelling from these gives the units back; the box has not left the farm.
STOCK_HOLDING = {S.AWAITING_PAYMENT, S.CONFIRMED, S.PACKED}
PAIRS = list(itertools.product(list(S), repeat=2))


# Given ----------------------------------------------------------------------------------


@dataclass
class Placed:
    order: Order
    farmer: object
    variant_id: int
    product_id: int


def _place(payment_method: str, *, preorder: bool = False) -> Placed:
    farmer = make_user(role=Role.FARMER)
    farm = deliver_everywhere(make_farm(farmer))
    fields = {}
    if preorder:
        # A season that opens in 60 days: never "today", whatever today is.
        opens = local_today() + timedelta(days=60)
        fields = dict(
            season_start=f"{opens.day}/{opens.month}",
            season_end=f"{opens.day}/{opens.month}",
            preorder_enabled=True,
            preorder_ships_on=opens,
            preorder_capacity="10",
        )
    product = make_product(farm, name="Cam sành", prices=(60000,), **fields)
    variant = product.variants[0]
    variant.stock = 20
    db.session.flush()
    checkout = services.place_order(
        {variant.id: QUANTITY},
        buyer=make_user(),
        contact=hanoi_contact(),
        payment_method=payment_method,
        shown_prices={variant.id: 60000},
        today=local_today(),
    )
    db.session.flush()
    order = checkout.orders[0]
    if preorder:
        assert order.lines[0].ships_on is not None, "the product must be on pre-order"
    return Placed(order, farmer, variant.id, product.id)


def _put_in(placed: Placed, status: str, payment: str | None = None) -> Order:
    """Set the order's state directly, as a past sequence of moves would have left it."""
    values = {"status": status}
    if payment is not None:
        values["payment_status"] = payment
    db.session.execute(
        update(Order)
        .where(Order.id == placed.order.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(placed.order)
    return placed.order


@dataclass(frozen=True)
class Snapshot:
    status: str
    payment_status: str
    events: int
    stock: int
    preorder_taken: int


def _snapshot(placed: Placed) -> Snapshot:
    """What the database holds now, read past the session's identity map."""
    status, payment = db.session.execute(
        select(Order.status, Order.payment_status).where(Order.id == placed.order.id)
    ).one()
    return Snapshot(
        status=status,
        payment_status=payment,
        events=db.session.scalar(
            select(func.count()).where(OrderEvent.order_id == placed.order.id)
        ),
        stock=db.session.scalar(select(Variant.stock).where(Variant.id == placed.variant_id)),
        preorder_taken=db.session.scalar(
            select(Product.preorder_taken).where(Product.id == placed.product_id)
        ),
    )


# Order states ---------------------------------------------------------------------------


@pytest.fixture
def placed(app) -> Placed:
    return _place("bank_transfer")


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_move_order_follows_the_transition_table(placed, source, target):
    # Given an order in `source`, its stock taken at checkout
    order = _put_in(placed, source)
    before = _snapshot(placed)

    if (source, target) in ALLOWED:
        # When it moves to an allowed state
        services.move_order(order, target, actor=None)
        # Then the state changed, with one event saying from where to where
        after = _snapshot(placed)
        assert after.status == target
        assert after.events == before.events + 1
        last = db.session.scalars(
            select(OrderEvent)
            .where(OrderEvent.order_id == order.id)
            .order_by(OrderEvent.id.desc())
            .limit(1)
        ).one()
        assert (last.kind, last.from_state, last.to_state) == ("status", source, target)
        gives_back = target == S.CANCELLED and source in STOCK_HOLDING
        assert after.stock == before.stock + (QUANTITY if gives_back else 0)
    else:
        # When it is asked to move anywhere else, then it is refused and nothing changed
        with pytest.raises(DomainError):
            services.move_order(order, target, actor=None)
        assert _snapshot(placed) == before


@pytest.mark.parametrize("source", sorted(STOCK_HOLDING))
@pytest.mark.parametrize("preorder", [False, True], ids=["stock", "preorder"])
def test_cancelling_from_a_stock_holding_state_gives_the_units_back_exactly_once(
    app, source, preorder
):
    # Given an order holding 3 units (or 3 pre-order places) in `source`
    placed = _place("bank_transfer", preorder=preorder)
    order = _put_in(placed, source)
    before = _snapshot(placed)

    # When it is cancelled, then refunded, and the expiry job and a second cancel come by
    services.move_order(order, S.CANCELLED, actor=None)
    after_cancel = _snapshot(placed)
    services.move_order(order, S.REFUNDED, actor=None)
    services.expire_unpaid_orders(utcnow() + timedelta(days=30))
    with pytest.raises(DomainError):
        services.move_order(order, S.CANCELLED, actor=None)

    # Then the units came back once, at the cancellation, and never again
    if preorder:
        assert after_cancel.preorder_taken == before.preorder_taken - QUANTITY
        assert after_cancel.stock == before.stock
    else:
        assert after_cancel.stock == before.stock + QUANTITY
        assert after_cancel.preorder_taken == before.preorder_taken
    final = _snapshot(placed)
    assert (final.stock, final.preorder_taken) == (after_cancel.stock, after_cancel.preorder_taken)


@pytest.mark.parametrize("source", [S.SHIPPED, S.DELIVERED, S.COMPLETED, S.CANCELLED])
def test_leaving_a_state_without_stock_never_gives_units_back(placed, source):
    # Given an order whose boxes left the farm (or whose units were already counted back)
    order = _put_in(placed, source)
    before = _snapshot(placed)
    # When it goes anywhere the table allows
    for target in sorted(t for s, t in ALLOWED if s == source):
        order = _put_in(placed, source)
        services.move_order(order, target, actor=None)
        # Then no unit comes back on sale
        assert _snapshot(placed).stock == before.stock


# Payment states -------------------------------------------------------------------------
# `set_payment_status` enforces no table (it only compares-and-sets the state it read), so
# the guards live in the services that call it: each is tested over every (order state,
# payment state) pair with its expected outcome written out.

STATE_PAIRS = list(itertools.product(list(S), list(P)))
PAIR_IDS = [f"{s}/{p}" for s, p in STATE_PAIRS]

#: confirm_transfer on a bank-transfer order: (status, payment) -> (status, payment) after.
CONFIRM_TRANSFER = {
    (S.AWAITING_PAYMENT, P.UNPAID): (S.CONFIRMED, P.PAID),
    (S.AWAITING_PAYMENT, P.NEEDS_REVIEW): (S.CONFIRMED, P.PAID),
    (S.AWAITING_PAYMENT, P.FAILED): (S.CONFIRMED, P.PAID),
    (S.AWAITING_PAYMENT, P.REFUND_NEEDED): (S.CONFIRMED, P.PAID),
    # Money for a cancelled order goes back to the buyer; the boxes stay on sale.
    (S.CANCELLED, P.UNPAID): (S.CANCELLED, P.REFUND_NEEDED),
    (S.CANCELLED, P.NEEDS_REVIEW): (S.CANCELLED, P.REFUND_NEEDED),
    (S.CANCELLED, P.FAILED): (S.CANCELLED, P.REFUND_NEEDED),
    (S.CANCELLED, P.REFUND_NEEDED): (S.CANCELLED, P.REFUND_NEEDED),
}

#: record_cash_collected on a cash-on-delivery order: the cash comes with the delivery.
CASH_COLLECTED = {
    (status, payment): (status, P.PAID)
    for status in (S.SHIPPED, S.DELIVERED, S.COMPLETED)
    for payment in P
    if payment != P.PAID
}

#: record_refund: only money that was paid goes back, from a state that may be refunded.
REFUND = {
    (status, payment): (S.REFUNDED, P.REFUNDED)
    for status in (S.DELIVERED, S.COMPLETED, S.CANCELLED)
    for payment in (P.PAID, P.REFUND_NEEDED)
}


def _expect(placed: Placed, before: Snapshot, expected, act) -> None:
    if expected is None:
        with pytest.raises(DomainError):
            act()
        assert _snapshot(placed) == before
        return
    act()
    after = _snapshot(placed)
    assert (after.status, after.payment_status) == expected
    assert after.stock == before.stock, "no payment change moves stock"
    changes = (after.status != before.status) + (after.payment_status != before.payment_status)
    assert after.events == before.events + changes


@pytest.mark.parametrize(("status", "payment"), STATE_PAIRS, ids=PAIR_IDS)
def test_confirm_transfer_follows_its_table(placed, status, payment):
    # Given a bank-transfer order in (status, payment)
    _put_in(placed, status, payment)
    before = _snapshot(placed)
    # When the farm says the money arrived, then it is confirmed and paid, owed back, or
    # refused with nothing changed
    _expect(
        placed,
        before,
        CONFIRM_TRANSFER.get((status, payment)),
        lambda: services.confirm_transfer(placed.order, placed.farmer),
    )


@pytest.mark.parametrize(("status", "payment"), STATE_PAIRS, ids=PAIR_IDS)
def test_record_cash_collected_follows_its_table(app, status, payment):
    # Given a cash-on-delivery order in (status, payment)
    placed = _place("cod")
    _put_in(placed, status, payment)
    before = _snapshot(placed)
    # When the farm records the cash, then paid only after it shipped, else refused
    _expect(
        placed,
        before,
        CASH_COLLECTED.get((status, payment)),
        lambda: services.record_cash_collected(placed.order, placed.farmer),
    )


@pytest.mark.parametrize(("status", "payment"), STATE_PAIRS, ids=PAIR_IDS)
def test_record_refund_follows_its_table(placed, status, payment):
    # Given a bank-transfer order in (status, payment)
    _put_in(placed, status, payment)
    before = _snapshot(placed)
    # When the farm records a refund, then order and payment are refunded, or refused
    _expect(
        placed,
        before,
        REFUND.get((status, payment)),
        lambda: services.record_refund(placed.order, placed.farmer, "hàng dập"),
    )


def test_cash_is_never_confirmed_as_a_transfer_nor_a_transfer_as_cash(app):
    # Given a cash-on-delivery order and a bank-transfer order, both waiting
    cod, transfer = _place("cod"), _place("bank_transfer")
    cod_before, transfer_before = _snapshot(cod), _snapshot(transfer)
    # When each is paid the other way, then both are refused and nothing changed
    with pytest.raises(DomainError):
        services.confirm_transfer(cod.order, cod.farmer)
    _put_in(transfer, S.DELIVERED)
    transfer_before = _snapshot(transfer)
    with pytest.raises(DomainError):
        services.record_cash_collected(transfer.order, transfer.farmer)
    assert (_snapshot(cod), _snapshot(transfer)) == (cod_before, transfer_before)


#: Cancelling: by the buyer before packing, by the farm until it ships. A paid order (or
#: money under review) then owes the buyer a refund.
BUYER_CANCELS = {S.AWAITING_PAYMENT, S.CONFIRMED}
FARM_CANCELS = {S.AWAITING_PAYMENT, S.CONFIRMED, S.PACKED}
OWES_REFUND = {P.PAID: P.REFUND_NEEDED, P.NEEDS_REVIEW: P.REFUND_NEEDED}


def _cancel_expected(cancellable: set, status, payment):
    if status not in cancellable:
        return None
    return (S.CANCELLED, OWES_REFUND.get(payment, payment))


@pytest.mark.parametrize(("status", "payment"), STATE_PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("who", ["buyer", "farm"])
def test_cancel_flows_follow_their_table(placed, status, payment, who):
    # Given a bank-transfer order in (status, payment)
    _put_in(placed, status, payment)
    before = _snapshot(placed)
    if who == "buyer":
        expected = _cancel_expected(BUYER_CANCELS, status, payment)
        buyer = placed.order.checkout.buyer

        def act():
            services.cancel_by_buyer(placed.order, buyer)
    else:
        expected = _cancel_expected(FARM_CANCELS, status, payment)

        def act():
            services.cancel_by_farm(placed.order, placed.farmer, "hết hàng")

    # When it is cancelled
    if expected is None:
        # Then refused, nothing changed
        with pytest.raises(DomainError):
            act()
        assert _snapshot(placed) == before
        return
    act()
    # Then cancelled, the units back on sale, and a refund owed if money had come
    after = _snapshot(placed)
    assert (after.status, after.payment_status) == expected
    assert after.stock == before.stock + QUANTITY
    changes = 1 + (after.payment_status != before.payment_status)
    assert after.events == before.events + changes


# A real race on PostgreSQL ----------------------------------------------------------------


def _status_events(order_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(OrderEvent.order_id == order_id, OrderEvent.kind == "status")
    )


_race_databases = itertools.count(1)


class Refused(Exception):
    """The transfer was recorded as money to give back, not as the order's payment."""


@pytest.fixture
def overdue_transfer(database_factory, tmp_path):
    """Committed data in a database of its own: each thread has its own connection."""
    name = f"expiry_race_{next(_race_databases)}"
    app = make_test_app(database_factory("postgresql", name), str(tmp_path))
    upgrade_schema(app)
    with app.app_context():
        placed = _place("bank_transfer")
        placed.order.pay_before = utcnow() - timedelta(minutes=1)
        db.session.commit()
        ids = (placed.order.id, placed.farmer.id, placed.variant_id)
        stock_after_checkout = _snapshot(placed).stock
        status_events = _status_events(placed.order.id)
    yield app, ids, (stock_after_checkout, status_events)
    with app.app_context():
        db.engine.dispose()


def _both_read_before_either_writes(engine):
    """Hold each thread's first UPDATE of the order until the other has read it too: the
    interleaving in which a read-then-write without compare-and-set lets both win."""
    barrier = threading.Barrier(2, timeout=3)
    writing = threading.local()

    def hold(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE FARM_ORDER") and not getattr(
            writing, "held", False
        ):
            writing.held = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass  # the other thread was refused before writing anything

    event.listen(engine, "before_cursor_execute", hold)
    return lambda: event.remove(engine, "before_cursor_execute", hold)


def test_an_order_paid_while_the_expiry_runs_is_left_paid_and_the_others_expire(app, monkeypatch):
    # Given two overdue transfers, the first of which a payment moves just before the expiry
    # job's compare-and-set reaches it (as a bank notification in another worker would)
    paid, unpaid = _place("bank_transfer"), _place("bank_transfer")
    real_move = services.move_order

    def payment_arrives_first(order, target, **kwargs):
        if order.id == paid.order.id:
            db.session.execute(
                update(Order)
                .where(Order.id == order.id)
                .values(status=S.CONFIRMED, payment_status=P.PAID)
                .execution_options(synchronize_session=False)
            )
        return real_move(order, target, **kwargs)

    monkeypatch.setattr(services, "move_order", payment_arrives_first)
    stock_before = _snapshot(unpaid)

    # When the expiry job runs
    expired = services.expire_unpaid_orders(utcnow() + timedelta(days=2))

    # Then only the unpaid order expired (its stock back) and the job did not stop
    assert [order.id for order in expired] == [unpaid.order.id]
    assert unpaid.order.status == S.CANCELLED
    assert _snapshot(paid).status != S.CANCELLED
    assert _snapshot(unpaid).stock == stock_before.stock + QUANTITY


@pytest.mark.postgres_only
@pytest.mark.parametrize("interleaving", ["free", "both_read_first"])
def test_expiry_and_a_confirmed_transfer_racing_on_one_order_have_one_winner(
    overdue_transfer, interleaving
):
    app, (order_id, farmer_id, variant_id), (stock_after_checkout, events_before) = overdue_transfer
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    if interleaving == "both_read_first":
        with app.app_context():
            stop_holding = _both_read_before_either_writes(db.engine)
    else:
        stop_holding = lambda: None  # noqa: E731

    def run(name, act):
        with app.app_context():
            start.wait()
            try:
                act()
                db.session.commit()
                outcomes[name] = "won"
            except Refused:
                db.session.commit()
                outcomes[name] = "refused"
            except DomainError:
                db.session.rollback()
                outcomes[name] = "refused"
            except Exception as error:  # noqa: BLE001 - the test reports what went wrong
                db.session.rollback()
                outcomes[name] = f"error: {error!r}"

    def expire():
        expired = services.expire_unpaid_orders(utcnow())
        if not expired:
            raise DomainError("nothing to expire: the order was no longer awaiting payment")

    def confirm():
        order = db.session.get(Order, order_id)
        services.confirm_transfer(order, db.session.get(User, farmer_id))
        if order.status == S.CANCELLED:
            # It waited for the expiry's row lock and saw the cancellation: the money is
            # owed back, the order was not moved.
            raise Refused

    threads = [
        threading.Thread(target=run, args=("expiry", expire)),
        threading.Thread(target=run, args=("transfer", confirm)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        stop_holding()

    # Then exactly one moved the order and the other was refused
    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    with app.app_context():
        order = db.session.get(Order, order_id)
        status_events = _status_events(order_id) - events_before
        stock = db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))
        # One status event, and stock that matches the winner
        assert status_events == 1
        if outcomes["expiry"] == "won":
            # The transfer either lost the compare-and-set or saw the cancellation
            assert order.status == S.CANCELLED
            assert order.payment_status in (P.UNPAID, P.REFUND_NEEDED)
            assert stock == stock_after_checkout + QUANTITY
        else:
            assert (order.status, order.payment_status) == (S.CONFIRMED, P.PAID)
            assert stock == stock_after_checkout
    assert ledger_mismatches_in(app) == []
