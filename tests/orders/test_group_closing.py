"""Closing group offers at the deadline: success lets the farm pack every order, failure
cancels each (stock back once, money owed back, the card sale reversed in the ledger), and
everyone is told. The job is idempotent: a second run closes nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.messaging import OutboundMessage
from orders import services as orders
from orders.group_buying import services
from orders.group_buying.jobs import close_due_group_offers
from orders.models import LedgerEntry
from orders.stripe_payments import farm_balance
from tests.orders.group_factories import DELIVERY_FEE, GROUP_PRICE, join, make_offer
from tests.orders.test_stripe import _event, _send, stripe_app  # noqa: F401  (a fixture)
from tests.support.snapshots import database_snapshot


def _kinds() -> list[tuple[str, str]]:
    return sorted(
        (m.recipient, m.kind)
        for m in db.session.scalars(select(OutboundMessage))
        if m.kind.startswith(("group_", "farm_group_"))
    )


def _close_after(deadline: datetime) -> int:
    """Run the worker's job a minute after `deadline`."""
    with freeze_time(deadline + timedelta(minutes=1), tick=True):
        closed = close_due_group_offers.call_local()
    db.session.expire_all()
    return closed


def test_the_job_is_on_the_workers_schedule_every_minute(app):
    from app.jobs import huey

    periodic = {task.name: task for task in huey._registry.periodic_tasks}
    job = periodic["orders.group_buying.jobs.close_due_group_offers"]
    assert job.validate_datetime(datetime(2026, 7, 1, 9, 13))


def test_an_offer_that_reaches_its_minimum_succeeds_and_its_orders_go_ahead(app):
    offer = make_offer(min_count=3)
    cash = [join(offer, n) for n in (1, 2)]
    transfer = join(offer, 3, payment_method="bank_transfer")
    db.session.commit()
    assert _close_after(offer.deadline - timedelta(minutes=2)) == 0  # not due yet
    assert offer.status == "open"

    assert _close_after(offer.deadline) == 1
    assert offer.status == "succeeded" and offer.closed_at is not None
    assert [o.status for o in cash] == ["confirmed", "confirmed"]
    # The unpaid transfer waits for its money as usual, and is packed once paid.
    assert transfer.status == "awaiting_payment"
    farmer = offer.farm.members[0].user
    orders.pack_order(cash[0], farmer)
    orders.confirm_transfer(transfer, farmer)
    orders.pack_order(transfer, farmer)
    assert (cash[0].status, transfer.status) == ("packed", "packed")
    told = {kind for _, kind in _kinds()}
    assert told == {"group_succeeded", "farm_group_succeeded"}
    buyers_told = {r for r, kind in _kinds() if kind == "group_succeeded"}
    assert buyers_told == {"b1@example.vn", "b2@example.vn", "b3@example.vn"}


def test_an_offer_short_of_its_minimum_fails_and_cancels_every_order(app):
    offer = make_offer(min_count=3, stock=10)
    first, second = join(offer, 1, quantity=2), join(offer, 2, payment_method="bank_transfer")
    db.session.commit()
    assert _close_after(offer.deadline) == 1
    assert offer.status == "failed"
    for order in (first, second):
        assert order.status == "cancelled"
        assert order.stock_released_at is not None
        assert order.cancel_reason == "group offer did not reach its minimum"
    assert offer.variant.stock == 10  # every box back, once
    assert second.payment_status == "unpaid"  # nothing was paid, nothing is owed
    assert {kind for _, kind in _kinds()} == {"group_failed", "farm_group_failed"}

    # Run again (a second worker, a retry): nothing changes.
    before = database_snapshot()
    assert _close_after(offer.deadline) == 0
    assert database_snapshot() == before


def test_a_buyer_who_cancelled_is_not_counted_nor_cancelled_twice(app):
    offer = make_offer(min_count=2, stock=10)
    kept, cancelled = join(offer, 1), join(offer, 2)
    orders.cancel_by_buyer(cancelled, None, access_token=cancelled.checkout.access_token)
    db.session.commit()
    assert _close_after(offer.deadline) == 1
    assert offer.status == "failed"  # one buyer left of two needed
    assert (kept.status, cancelled.status) == ("cancelled", "cancelled")
    assert offer.variant.stock == 10
    assert [r for r, kind in _kinds() if kind == "group_failed"] == ["b1@example.vn"]


def test_a_paid_transfer_of_a_failed_offer_is_owed_back(app):
    offer = make_offer(min_count=3)
    order = join(offer, 1, payment_method="bank_transfer")
    orders.confirm_transfer(order, offer.farm.members[0].user)
    db.session.commit()
    _close_after(offer.deadline)
    assert (order.status, order.payment_status) == ("cancelled", "refund_needed")
    # A transfer went to the farm directly: the ledger never held it.
    assert db.session.scalars(select(LedgerEntry)).all() == []


def test_a_card_paid_order_of_a_failed_offer_ends_with_its_ledger_at_zero(app, client, stripe_app):  # noqa: F811
    offer = make_offer(min_count=3)
    order = join(offer, 1, quantity=2, payment_method="stripe")
    order.checkout.stripe_session_id = "cs_test_group"
    db.session.commit()
    assert _send(client, _event(order.checkout)).json == {"status": "paid"}
    db.session.expire_all()
    total = 2 * GROUP_PRICE + DELIVERY_FEE
    assert (order.status, order.payment_status, order.total_vnd) == ("confirmed", "paid", total)
    commission = total * 5 // 100  # PLATFORM_COMMISSION_PERCENT in the fixture
    assert farm_balance(offer.farm) == total - commission == 199500

    assert _close_after(offer.deadline) == 1
    assert (order.status, order.payment_status) == ("cancelled", "refund_needed")
    entries = [
        (e.kind, e.amount_vnd)
        for e in db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.order_id == order.id).order_by(LedgerEntry.id)
        )
    ]
    assert entries == [("sale", 210000), ("commission", -10500), ("refund", -199500)]
    assert farm_balance(offer.farm) == 0
    failed = [m for m in db.session.scalars(select(OutboundMessage)) if m.kind == "group_failed"]
    assert failed and all("210" in m.body for m in failed)  # the amount to be refunded


def test_a_card_paid_order_of_a_succeeded_offer_keeps_its_sale(app, client, stripe_app):  # noqa: F811
    offer = make_offer(min_count=2)
    order = join(offer, 1, payment_method="stripe")
    order.checkout.stripe_session_id = "cs_test_group_ok"
    join(offer, 2)
    db.session.commit()
    _send(client, _event(order.checkout))
    _close_after(offer.deadline)
    assert (offer.status, order.status, order.payment_status) == (
        "succeeded",
        "confirmed",
        "paid",
    )
    total = GROUP_PRICE + DELIVERY_FEE
    assert farm_balance(offer.farm) == total - total * 5 // 100 == 114000


def test_closing_an_offer_not_yet_due_or_unknown_changes_nothing(app):
    offer = make_offer()
    join(offer, 1)
    before = database_snapshot()
    assert services.close_offer(offer.id, offer.deadline - timedelta(seconds=1)) is None
    assert services.close_offer(offer.id + 1000, offer.deadline) is None
    assert database_snapshot() == before


def test_a_boxes_goal_counts_the_boxes(app):
    offer = make_offer(goal="boxes", min_count=4)
    join(offer, 1, quantity=3)
    join(offer, 2, quantity=1)
    db.session.commit()
    _close_after(offer.deadline)
    assert offer.status == "succeeded"


def test_a_card_payment_arriving_after_the_offer_failed_is_owed_back_not_a_sale(
    app,
    client,
    stripe_app,  # noqa: F811
):
    offer = make_offer(min_count=3)
    order = join(offer, 1, payment_method="stripe")
    order.checkout.stripe_session_id = "cs_test_group_late"
    db.session.commit()
    _close_after(offer.deadline)
    assert (order.status, order.payment_status) == ("cancelled", "unpaid")
    assert _send(client, _event(order.checkout)).json == {"status": "refund_needed"}
    db.session.expire_all()
    assert order.payment_status == "refund_needed"
    assert db.session.scalars(select(LedgerEntry)).all() == []  # never the farm's money


def test_the_farm_hears_of_a_cash_group_order_as_one_to_pack_once_the_group_succeeds(app):
    offer = make_offer()
    join(offer, 1)
    [notice] = [
        m for m in db.session.scalars(select(OutboundMessage)) if m.kind == "farm_new_order"
    ]
    assert "Chỉ đóng gói khi đợt mua chung thành công." in notice.body
    assert "Có thể đóng gói." not in notice.body
