"""Fifty buyers race for a voucher with ten uses, on PostgreSQL: exactly ten get it."""

import threading

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.roles import Role
from app.clock import local_today
from app.extensions import db
from orders import services
from orders.models import Order
from orders.vouchers.models import Voucher, VoucherRedemption
from orders.vouchers.rules import VoucherRefused
from tests.app.factories import make_user
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.orders.vouchers.factories import make_voucher
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

BUYERS = 50
USES = 10


@pytest.fixture
def voucher_rush(database_factory, tmp_path, request):
    """A database of its own with committed data, since each buyer has its own connection."""
    app = make_test_app(
        database_factory("postgresql", "vr_" + request.node.originalname[5:30]),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 30},
    )
    upgrade_schema(app)
    with app.app_context():
        product = make_product(deliver_everywhere(make_farm()), name="Vải thiều", prices=(180000,))
        variant = product.variants[0]
        variant.stock = BUYERS  # stock for everyone: only the voucher is scarce
        make_voucher(product.farm, code="TET10", total_uses=str(USES))
        buyers = [make_user().id for _ in range(BUYERS)]
        db.session.commit()
        variant_id, price = variant.id, variant.price_vnd
    yield app, variant_id, price, buyers
    with app.app_context():
        db.engine.dispose()


def test_exactly_ten_of_fifty_buyers_get_the_voucher(voucher_rush):
    app, variant_id, price, buyers = voucher_rush
    start = threading.Barrier(BUYERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(buyer_id):
        with app.app_context():
            buyer = db.session.get(User, buyer_id)
            start.wait()
            try:
                services.place_order(
                    {variant_id: 1},
                    buyer=buyer,
                    contact=hanoi_contact(),
                    payment_method="cod",
                    shown_prices={variant_id: price},
                    today=local_today(),
                    voucher_code="tet10",
                )
                db.session.commit()
                outcome = "placed"
            except VoucherRefused as refused:
                db.session.rollback()
                outcome = "refused: " + str(refused.message)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=buy, args=(buyer_id,)) for buyer_id in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == BUYERS
    assert outcomes.count("placed") == USES
    refused = [o for o in outcomes if o != "placed"]
    assert all("TET10" in o for o in refused), refused[:1]
    with app.app_context():
        assert db.session.scalar(select(Voucher.used_count)) == USES
        assert db.session.scalar(select(func.count(Order.id))) == USES  # nothing else placed
        discounted = db.session.scalar(select(func.count(Order.id)).where(Order.discount_vnd > 0))
        assert discounted == USES
        assert db.session.scalar(select(func.count(VoucherRedemption.id))) == USES
    assert ledger_mismatches_in(app) == []


def test_one_buyer_racing_with_two_checkouts_uses_a_one_per_buyer_voucher_once(voucher_rush):
    app, variant_id, price, buyers = voucher_rush
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def buy():
        with app.app_context():
            buyer = db.session.get(User, buyers[0])
            start.wait()
            try:
                services.place_order(
                    {variant_id: 1},
                    buyer=buyer,
                    contact=hanoi_contact(),
                    payment_method="cod",
                    shown_prices={variant_id: price},
                    today=local_today(),
                    voucher_code="TET10",
                )
                db.session.commit()
                outcomes.append("placed")
            except VoucherRefused:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["placed", "refused"]
    with app.app_context():
        assert db.session.scalar(select(Voucher.used_count)) == 1
    assert ledger_mismatches_in(app) == []


def test_two_orders_of_a_checkout_cancelled_at_once_give_the_use_back_once(
    database_factory, tmp_path
):
    """A platform voucher over two farms' orders: both cancelled at the same moment, the
    checkout's use comes back exactly once (neither may think the other still holds it)."""
    from orders.models import Checkout
    from tests.orders.vouchers.factories import checkout_with

    app = make_test_app(database_factory("postgresql", "vr_two_cancels"), str(tmp_path))
    upgrade_schema(app)
    with app.app_context():
        first = make_product(deliver_everywhere(make_farm()), prices=(180000,)).variants[0]
        second = make_product(deliver_everywhere(make_farm()), prices=(55000,)).variants[0]
        make_voucher(
            None, actor=make_user(Role.OPERATOR), code="NONGSAN", kind="fixed", value="10000"
        )
        buyer = make_user()
        checkout = checkout_with([first, second], "NONGSAN", buyer=buyer, payment_method="cod")
        db.session.commit()
        checkout_id, buyer_id = checkout.id, buyer.id
    start = threading.Barrier(2)
    errors: list[Exception] = []

    def cancel(index):
        with app.app_context():
            order = db.session.get(Checkout, checkout_id).orders[index]
            buyer = db.session.get(User, buyer_id)
            start.wait()
            try:
                services.cancel_by_buyer(order, buyer)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 — reported below
                db.session.rollback()
                errors.append(error)

    threads = [threading.Thread(target=cancel, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        with app.app_context():
            assert db.session.scalar(select(Voucher.used_count)) == 0
            released = select(func.count(VoucherRedemption.id)).where(
                VoucherRedemption.released_at.is_not(None)
            )
            assert db.session.scalar(released) == 2
        assert ledger_mismatches_in(app) == []
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("issuer", ["platform", "farm"])
def test_two_issuers_creating_the_same_code_at_once_make_one_voucher(
    database_factory, tmp_path, issuer
):
    """Two operators (a platform code has no farm row to lock), or two people of one farm,
    create the same code at the same moment: one voucher, the other is told it runs."""
    from app.errors import DomainError
    from farms.models import Farm

    app = make_test_app(database_factory("postgresql", f"vr_same_code_{issuer}"), str(tmp_path))
    upgrade_schema(app)
    with app.app_context():
        if issuer == "platform":
            farm_id = None
            actors = [make_user(Role.OPERATOR).id, make_user(Role.OPERATOR).id]
        else:
            farm = make_farm()
            farm_id = farm.id
            actors = [farm.members[0].user.id] * 2
        db.session.commit()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def create(actor_id):
        with app.app_context():
            actor = db.session.get(User, actor_id)
            farm = db.session.get(Farm, farm_id) if farm_id else None
            start.wait()
            try:
                make_voucher(farm, actor=actor, code="MUAVAI")
                db.session.commit()
                outcomes.append("created")
            except DomainError as refused:
                db.session.rollback()
                outcomes.append(str(refused.message))

    threads = [threading.Thread(target=create, args=(actor_id,)) for actor_id in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert sorted(outcomes) == ["created", "Đang có một mã giảm giá MUAVAI còn hiệu lực."]
        with app.app_context():
            assert db.session.scalar(select(func.count(Voucher.id))) == 1
    finally:
        with app.app_context():
            db.engine.dispose()
