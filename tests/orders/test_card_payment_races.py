"""On PostgreSQL, each party on its own connection: Stripe's settlement of a card checkout
arriving at the moment its buyer cancels one of its orders. The checkout uses a platform
voucher and the platform takes a commission, so every kind of entry a card sale writes is at
stake. Whichever locks the order first, the cancelled order owes its buyer the money and
leaves nothing in the farm's ledger, the other order is credited once, and the ledger audit
(orders.ledger_audit) finds every order as its columns say."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from orders import services, stripe_payments
from orders.models import Checkout, LedgerEntry
from tests.app.factories import make_user
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.vouchers.factories import checkout_with, make_voucher
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

PERCENT = 10
_databases = itertools.count(1)


@pytest.fixture
def card_checkout(database_factory, tmp_path):
    """Committed data in a database of its own: two farms' orders paid by one card checkout
    with the platform's NONGSAN voucher (20,000 ₫ the platform bears)."""
    app = make_test_app(
        database_factory("postgresql", f"card_payment_race_{next(_databases)}"),
        str(tmp_path),
        PLATFORM_COMMISSION_PERCENT=PERCENT,
    )
    upgrade_schema(app)
    with app.app_context():
        first = make_product(deliver_everywhere(make_farm()), prices=(180000,)).variants[0]
        second = make_product(deliver_everywhere(make_farm()), prices=(120000,)).variants[0]
        make_voucher(
            None, actor=make_user(Role.OPERATOR), code="NONGSAN", kind="fixed", value="20000"
        )
        buyer = make_user()
        checkout = checkout_with([first, second], "NONGSAN", buyer=buyer, payment_method="stripe")
        db.session.commit()
        ids = checkout.id, buyer.id
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def _entries(order_id: int) -> list[tuple[str, int]]:
    return sorted(
        db.session.execute(
            select(LedgerEntry.kind, LedgerEntry.amount_vnd).where(LedgerEntry.order_id == order_id)
        ).all()
    )


@pytest.mark.postgres_only
@pytest.mark.parametrize("first", ["settlement", "cancellation", "together"])
def test_a_card_settlement_and_a_cancellation_at_once_leave_the_ledger_right(card_checkout, first):
    app, (checkout_id, buyer_id) = card_checkout
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    settled = threading.Event()  # for "settlement" and "cancellation": the first has committed

    def settle():
        checkout = db.session.get(Checkout, checkout_id)
        return stripe_payments._paid(checkout)

    def cancel():
        order = db.session.get(Checkout, checkout_id).orders[0]
        services.cancel_by_buyer(order, db.session.get(User, buyer_id))
        return "cancelled"

    def run(name, act, goes_second):
        with app.app_context():
            start.wait()
            if goes_second:
                settled.wait(timeout=30)
            try:
                outcomes[name] = act()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports what went wrong
                db.session.rollback()
                outcomes[name] = f"error: {error!r}"
            finally:
                settled.set()

    threads = [
        threading.Thread(target=run, args=("settlement", settle, first == "cancellation")),
        threading.Thread(target=run, args=("cancellation", cancel, first == "settlement")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes["cancellation"] == "cancelled", outcomes
    assert outcomes["settlement"] in ("paid", "refund_needed"), outcomes
    with app.app_context():
        cancelled, kept = db.session.get(Checkout, checkout_id).orders
        assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refund_needed")
        assert sum(amount for _, amount in _entries(cancelled.id)) == 0
        assert kept.payment_status == "paid"
        full_price = kept.total_vnd + kept.platform_discount_vnd
        assert kept.platform_discount_vnd > 0
        assert _entries(kept.id) == sorted(
            [
                ("commission", -(full_price * PERCENT // 100)),
                ("platform_discount", kept.platform_discount_vnd),
                ("sale", kept.total_vnd),
            ]
        )
    assert ledger_mismatches_in(app) == []
