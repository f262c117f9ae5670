"""The ledger audit (orders.ledger_audit, `flask audit-ledger`) finds an order whose ledger
entries differ from what its columns say, and passes a ledger the payment steps wrote."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from app.extensions import db
from orders import services
from orders.ledger_audit import LedgerMismatch, ledger_mismatches
from orders.models import LedgerEntry, LedgerKind
from orders.stripe_payments import _paid
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_checkout
from tests.orders.vouchers.factories import checkout_with, make_voucher
from tests.orders.weighed_factories import make_pomelo, pay_by_card, pomelo_order
from tests.products.factories import make_product

#: Every test here spoils the ledger on purpose, then puts it right or says so.
pytestmark = pytest.mark.ledger_by_hand


@pytest.fixture
def card_order(app):
    app.config["PLATFORM_COMMISSION_PERCENT"] = 5
    variant = make_product(deliver_everywhere(make_farm()), prices=(120_000,)).variants[0]
    checkout = make_checkout([variant], 2, payment_method="stripe")
    _paid(checkout)
    yield checkout.orders[0]
    app.config["PLATFORM_COMMISSION_PERCENT"] = 0


def _add(order, kind: LedgerKind, amount_vnd: int, *, with_order: bool = True) -> None:
    db.session.add(
        LedgerEntry(
            farm_id=order.farm_id,
            order_id=order.id if with_order else None,
            kind=kind.value,
            amount_vnd=amount_vnd,
        )
    )
    db.session.flush()


def test_a_card_sale_and_its_commission_match_the_order(card_order):
    assert card_order.payment_status == "paid"
    assert ledger_mismatches() == []


def test_a_lost_sale_entry_is_found(card_order):
    db.session.execute(delete(LedgerEntry).where(LedgerEntry.kind == LedgerKind.SALE.value))
    # The commission left alone is not counted: a paid order's check leaves it out.
    expected = [LedgerMismatch(card_order.number, card_order.total_vnd, 0)]
    assert ledger_mismatches() == expected


def test_an_extra_refund_on_a_paid_order_is_found(card_order):
    _add(card_order, LedgerKind.REFUND, -1)
    total = card_order.total_vnd
    assert ledger_mismatches() == [LedgerMismatch(card_order.number, total, total - 1)]


def test_a_cancelled_card_order_adds_up_to_zero_commission_included(card_order):
    checkout = card_order.checkout
    services.cancel_by_buyer(card_order, None, access_token=checkout.access_token)
    assert card_order.payment_status == "refund_needed"
    assert ledger_mismatches() == []
    _add(card_order, LedgerKind.COMMISSION, 1)
    assert ledger_mismatches() == [LedgerMismatch(card_order.number, 0, 1)]


def test_money_for_an_unpaid_transfer_order_is_found(app):
    variant = make_product(deliver_everywhere(make_farm()), prices=(50_000,)).variants[0]
    order = make_checkout([variant], payment_method="bank_transfer").orders[0]
    _add(order, LedgerKind.SALE, order.total_vnd)
    assert ledger_mismatches() == [LedgerMismatch(order.number, 0, order.total_vnd)]


def test_an_entry_without_an_order_must_be_a_payout(card_order):
    _add(card_order, LedgerKind.PAYOUT, -10_000, with_order=False)
    assert ledger_mismatches() == []
    _add(card_order, LedgerKind.SALE, 7_000, with_order=False)
    assert ledger_mismatches() == [LedgerMismatch("-", 0, 7_000)]


def test_the_command_says_whether_the_ledger_matches(card_order, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit-ledger"])
    assert (result.exit_code, result.output) == (0, "The ledger matches every order.\n")
    _add(card_order, LedgerKind.REFUND, -1)
    result = runner.invoke(args=["audit-ledger"])
    total = card_order.total_vnd
    assert result.exit_code == 1
    assert (
        result.output == f"{card_order.number}: ledger {total - 1} đồng, order says {total} đồng\n"
    )


def test_every_kind_of_order_matches_and_each_mismatch_is_named_in_order(card_order):
    # Given a card order with a platform voucher, a lighter card box, an unpaid card order
    # and a confirmed transfer (neither with ledger entries), beside the paid card order
    farm_variant = make_product(deliver_everywhere(make_farm()), prices=(90_000,)).variants[0]
    make_voucher(None, code="SAN10", kind="fixed", value="10.000")
    with_voucher = checkout_with(
        [farm_variant], "SAN10", buyer=make_user(), payment_method="stripe"
    )
    _paid(with_voucher)
    lighter = pomelo_order(make_pomelo(), payment_method="stripe")
    pay_by_card(lighter)
    services.pack_order(
        lighter, lighter.farm.members[0].user, actual_grams={lighter.lines[0].id: "2300"}
    )
    make_checkout([farm_variant], payment_method="stripe")
    transfer = make_checkout([farm_variant], payment_method="bank_transfer").orders[0]
    services.confirm_transfer(transfer, transfer.farm.members[0].user)
    assert with_voucher.orders[0].platform_discount_vnd == 10_000
    assert lighter.weight_adjustment_vnd == -4500

    # Then the ledger matches them all
    assert ledger_mismatches() == []

    # And two orders spoilt are named in the orders' order
    _add(lighter, LedgerKind.REFUND, -1)
    _add(card_order, LedgerKind.SALE, 2)
    paid = card_order.total_vnd
    kept = lighter.total_vnd - 4500
    assert ledger_mismatches() == [
        LedgerMismatch(card_order.number, paid, paid + 2),
        LedgerMismatch(lighter.number, kept, kept - 1),
    ]
