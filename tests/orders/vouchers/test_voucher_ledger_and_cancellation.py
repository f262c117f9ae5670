"""A platform voucher's cost in the ledger, and a cancelled order giving its use back once.

The ledger rule asserted (orders.vouchers.ledger): per order, card paid = total_vnd +
platform_discount_vnd − commission on both; transfer or cash paid = platform_discount_vnd;
cancelled or refunded after payment = 0.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.roles import Role
from app.extensions import db
from orders import payouts, services, stripe_payments
from orders.models import LedgerEntry
from orders.vouchers.models import Voucher, VoucherRedemption
from orders.vouchers.redemption import release
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.vouchers.factories import checkout_with, make_voucher
from tests.products.factories import make_product


@pytest.fixture
def shop(app):
    lychee_farm = deliver_everywhere(make_farm(name="Vườn vải"))
    pomelo_farm = deliver_everywhere(make_farm(name="HTX Bưởi"), fee_vnd=25000)
    lychee = make_product(lychee_farm, name="Vải thiều", prices=(180000,)).variants[0]
    pomelo = make_product(pomelo_farm, name="Bưởi Thanh Hồng", prices=(55000,)).variants[0]
    db.session.commit()
    return lychee, pomelo


@pytest.fixture
def commission(app):
    app.config["PLATFORM_COMMISSION_PERCENT"] = 5
    yield
    app.config["PLATFORM_COMMISSION_PERCENT"] = 0


def _ledger(order) -> list[tuple[str, int]]:
    return [
        (entry.kind, entry.amount_vnd)
        for entry in db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.order_id == order.id).order_by(LedgerEntry.id)
        )
    ]


def _net(order) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_vnd), 0)).where(
            LedgerEntry.order_id == order.id
        )
    )


def _used(voucher) -> int:
    return db.session.scalar(select(Voucher.used_count).where(Voucher.id == voucher.id))


def _platform_checkout(shop, method):
    voucher = make_voucher(None, code="NONGSAN", kind="fixed", value="10.001")
    checkout = checkout_with(list(shop), "NONGSAN", buyer=make_user(), payment_method=method)
    return voucher, checkout


def test_card_payment_with_a_platform_voucher_pays_the_farm_in_full(shop, commission):
    voucher, checkout = _platform_checkout(shop, "stripe")
    lychee_order, pomelo_order = checkout.orders
    stripe_payments._paid(checkout)
    # 210,000 ₫ order: the buyer paid 202,339 ₫, the platform 7,661 ₫, 5 % of 210,000 ₫.
    assert sorted(_ledger(lychee_order)) == sorted(
        [("sale", 202339), ("platform_discount", 7661), ("commission", -10500)]
    )
    assert _net(lychee_order) == 199500 == 210000 - 10500
    assert sorted(_ledger(pomelo_order)) == sorted(
        [("sale", 77660), ("platform_discount", 2340), ("commission", -4000)]
    )
    assert stripe_payments.farm_balance(lychee_order.farm) == 199500
    # The farm cancels after payment: the order's ledger goes back to zero.
    services.cancel_by_farm(lychee_order, lychee_order.farm.members[0].user, "Hết vải")
    assert _net(lychee_order) == 0 and stripe_payments.farm_balance(lychee_order.farm) == 0
    # The other order still carries the voucher: the checkout's use is not back yet.
    assert _used(voucher) == 1
    services.cancel_by_farm(pomelo_order, pomelo_order.farm.members[0].user, "Hết bưởi")
    assert _used(voucher) == 0 and _net(pomelo_order) == 0
    assert payouts.ledger_kind_label("platform_discount") != "platform_discount"


def test_a_farm_voucher_is_the_farms_own_and_stays_out_of_the_ledger(shop, commission):
    lychee, _ = shop
    make_voucher(lychee.product.farm, value="10")
    checkout = checkout_with([lychee], "GIAM10", buyer=make_user(), payment_method="stripe")
    order = checkout.orders[0]
    stripe_payments._paid(checkout)
    assert (order.discount_vnd, order.total_vnd) == (18000, 192000)
    assert sorted(_ledger(order)) == sorted([("sale", 192000), ("commission", -9600)])


def test_a_confirmed_transfer_credits_the_platforms_share_then_a_cancellation_takes_it_back(shop):
    voucher, checkout = _platform_checkout(shop, "bank_transfer")
    order = checkout.orders[0]
    farmer = order.farm.members[0].user
    services.confirm_transfer(order, farmer)
    assert _ledger(order) == [("platform_discount", 7661)]
    services.cancel_by_farm(order, farmer, "Hết vải")
    assert _net(order) == 0
    assert order.payment_status == "refund_needed"


def test_cash_collected_credits_the_platforms_share_and_a_refund_takes_it_back(shop):
    _, checkout = _platform_checkout(shop, "cod")
    order = checkout.orders[1]
    farmer = order.farm.members[0].user
    services.pack_order(order, farmer)
    services.ship_order(order, farmer, carrier="ghtk", tracking_number="S1")
    services.mark_delivered(order, farmer)
    services.record_cash_collected(order, farmer)
    assert _ledger(order) == [("platform_discount", 2340)]
    # The platform owes it: a payout of it is allowed.
    payouts.record_payout(order.farm, make_user(Role.OPERATOR), "2.340", "FT1")
    assert stripe_payments.farm_balance(order.farm) == 0
    services.record_refund(order, farmer, "Bưởi hỏng")
    assert _net(order) == 0


def test_a_buyer_cancellation_gives_the_use_back_exactly_once(shop):
    lychee, _ = shop
    voucher = make_voucher(lychee.product.farm, total_uses="1")
    buyer = make_user()
    order = checkout_with([lychee], "GIAM10", buyer=buyer).orders[0]
    assert _used(voucher) == 1
    services.cancel_by_buyer(order, buyer)
    assert _used(voucher) == 0
    assert release(order) is False and _used(voucher) == 0
    assert db.session.scalar(select(VoucherRedemption.released_at)) is not None
    # Given back: the same buyer may use it again, and the only use is free.
    assert checkout_with([lychee], "GIAM10", buyer=buyer).orders[0].discount_vnd == 18000


def test_expiry_and_a_failed_card_give_the_use_back(shop):
    lychee, _ = shop
    voucher = make_voucher(lychee.product.farm, total_uses="5", uses_per_buyer="5")
    buyer = make_user()
    unpaid = checkout_with([lychee], "GIAM10", buyer=buyer).orders[0]
    card = checkout_with([lychee], "GIAM10", buyer=buyer, payment_method="stripe")
    assert _used(voucher) == 2
    stripe_payments._not_paid(card, failed=True)
    assert card.orders[0].status == "cancelled" and _used(voucher) == 1
    services.expire_unpaid_orders(unpaid.pay_before + timedelta(seconds=1))
    db.session.refresh(unpaid)
    assert unpaid.status == "cancelled" and _used(voucher) == 0


def test_a_bank_notification_of_the_discounted_total_credits_the_platforms_share(shop):
    from farms.services import set_bank_account
    from orders import bank_notifications

    lychee, _ = shop
    farm = lychee.product.farm
    set_bank_account(
        farm, farm.members[0].user, bank_bin="970416", account_number="257678859", holder_name="A"
    )
    _, checkout = _platform_checkout(shop, "bank_transfer")
    order = checkout.orders[0]
    credit = bank_notifications.record_credit(
        {
            "id": "FT-VOUCHER-1",
            "amount": order.total_vnd,  # 202,339 ₫: the discounted total
            "account": "257678859",
            "description": f"{order.number} thanh toan",
        }
    )
    assert credit.outcome == "paid"
    assert _ledger(order) == [("platform_discount", 7661)]
