"""Weighed goods: a pomelo sold by weight is charged by the weight the farm packs, and the
difference is settled by the payment's rule (orders.weighed), with exact ledger figures."""

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.auth.roles import Role
from app.clock import local_today
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.messaging import OutboundMessage
from orders import payouts, reports, services
from orders.events import OrderEventKind
from orders.models import LedgerEntry, OrderEvent
from orders.weighed.amounts import Settlement, absorbed_vnd, final_line_vnd, settlement
from orders.weighed.notice import difference_text
from orders.weighed.refunds import record_weight_refund, weight_refunds_for_farm
from products import services as products
from products.weighed import price_for_grams
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import make_checkout
from tests.orders.vouchers.factories import checkout_with, make_voucher
from tests.orders.weighed_factories import (
    DELIVERY,
    PER_KG,
    PIECE_PRICE,
    make_pomelo,
    pay_by_card,
    pomelo_order,
    weighed_fields,
)
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot

ESTIMATED_ITEMS = 2 * PIECE_PRICE  # two pomelos of about 1,200 g: 2,400 g


def _owner(variant):
    return variant.product.farm.members[0].user


def _line(order):
    return order.lines[0]


def _pack(order, grams, **kw):
    services.pack_order(
        order, order.farm.members[0].user, actual_grams={_line(order).id: grams}, **kw
    )


def _ledger(order) -> list[tuple[str, int]]:
    return [
        (entry.kind, entry.amount_vnd)
        for entry in db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.order_id == order.id).order_by(LedgerEntry.id)
        )
    ]


# Selling -------------------------------------------------------------------------------------


def test_rounding_is_half_up_to_a_whole_dong():
    assert price_for_grams(33333, 1500) == 50000  # 49,999.5
    assert price_for_grams(45000, 1200) == 54000
    assert price_for_grams(1, 499) == 0 and price_for_grams(1, 500) == 1


def test_the_piece_price_follows_the_price_per_kg_and_the_estimated_weight(app):
    variant = make_pomelo()
    owner = _owner(variant)
    assert (variant.sold_by_weight, variant.price_per_kg_vnd, variant.price_vnd) == (
        True,
        PER_KG,
        PIECE_PRICE,
    )
    products.update_variant(variant, owner, **weighed_fields(weight_grams="1500"))
    assert variant.price_vnd == price_for_grams(PER_KG, 1500) == 67500
    assert variant.product.price_from_vnd == 67500
    # A caller that does not know of weighed goods (the CSV, the API) keeps it weighed.
    fields = weighed_fields(weight_grams="1000", price_vnd="67500")
    del fields["sold_by_weight"], fields["price_per_kg_vnd"]
    products.update_variant(variant, owner, **fields)
    assert (variant.sold_by_weight, variant.price_vnd) == (True, 45000)


def test_a_piece_price_of_its_own_or_no_price_per_kg_is_refused(app):
    variant = make_pomelo()
    owner = _owner(variant)
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        products.set_stock_and_price(variant, owner, stock="5", price_vnd="60000")
    assert refused.value.field == "price_vnd"
    with pytest.raises(DomainError) as refused:
        products.update_variant(variant, owner, **weighed_fields(price_per_kg_vnd="0"))
    assert refused.value.field == "price_per_kg_vnd"
    with pytest.raises(DomainError):
        products.add_variant(
            variant.product, owner, **weighed_fields(price_per_kg_vnd="", unit="kg")
        )
    assert database_snapshot() == before
    # Its own price unchanged, the bulk edit may still change the stock.
    products.set_stock_and_price(variant, owner, stock="5", price_vnd=str(PIECE_PRICE))
    assert variant.stock == 5


def test_the_order_line_keeps_what_was_sold(app):
    order = pomelo_order(make_pomelo())
    line = _line(order)
    assert (line.sold_by_weight, line.price_per_kg_vnd, line.estimated_grams) == (
        True,
        PER_KG,
        2400,
    )
    assert (line.actual_grams, line.line_total_vnd) == (None, ESTIMATED_ITEMS)
    assert order.total_vnd == ESTIMATED_ITEMS + DELIVERY


# Packing -------------------------------------------------------------------------------------


def test_cash_on_delivery_collects_the_final_total_of_a_lighter_box(app):
    order = pomelo_order(make_pomelo())
    _pack(order, "2.300")
    assert order.status == "packed"
    assert _line(order).actual_grams == 2300
    final_items = price_for_grams(PER_KG, 2300)  # 103,500
    assert order.weight_adjustment_vnd == final_items - ESTIMATED_ITEMS == -4500
    money = settlement(order)
    assert money.final_total_vnd == order.total_vnd - 4500
    assert (money.refund_due_vnd, money.absorbed_vnd) == (0, 0)
    assert money.collect_on_delivery_vnd == money.final_total_vnd
    assert _ledger(order) == []  # cash is the farm's, outside the ledger
    event = db.session.scalars(
        select(OrderEvent).where(
            OrderEvent.order_id == order.id, OrderEvent.kind == OrderEventKind.WEIGHTS
        )
    ).one()
    assert event.actor_id == _owner(_line(order).variant).id
    assert "2400 g → 2300 g" in event.note
    message = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "order_weighed")
    ).first()
    assert message is not None and "2.300 g" in message.body


def test_cash_on_delivery_collects_more_for_a_heavier_box(app):
    order = pomelo_order(make_pomelo(absorb_limit_vnd=100000))
    _pack(order, "2500")
    money = settlement(order)
    assert money.adjustment_vnd == 4500 and money.absorbed_vnd == 0
    assert money.collect_on_delivery_vnd == order.total_vnd + 4500


def test_packing_without_every_weight_is_refused_and_changes_nothing(app, client):
    order = pomelo_order(make_pomelo())
    owner = _owner(_line(order).variant)
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        services.pack_order(order, owner)
    assert refused.value.field == f"grams_{_line(order).id}"
    for grams in ("", "abc", "0", "-5", "13000"):  # 13 kg > 5 × the 2.4 kg estimate
        with pytest.raises(DomainError):
            _pack(order, grams)
    with pytest.raises(DomainError):  # a line of another order
        services.pack_order(order, owner, actual_grams={_line(order).id + 999: "2400"})
    db.session.rollback()
    assert database_snapshot() == before


def test_a_weight_far_from_the_estimate_needs_the_farms_confirmation(app):
    order = pomelo_order(make_pomelo())
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        _pack(order, "1100")  # under half of 2,400 g
    assert "1.100" in str(refused.value.message)
    db.session.rollback()
    assert database_snapshot() == before
    _pack(order, "1100", confirm_unusual_weights=True)
    assert order.status == "packed" and _line(order).actual_grams == 1100


def test_another_farms_farmer_cannot_record_weights(app):
    order = pomelo_order(make_pomelo())
    stranger = make_farm(name="Vườn khác").members[0].user
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.pack_order(order, stranger, actual_grams={_line(order).id: "2400"})
    assert database_snapshot() == before


def test_a_cancelled_or_packed_order_is_not_weighed_again(app):
    variant = make_pomelo()
    cancelled = pomelo_order(variant)
    services.cancel_by_farm(cancelled, _owner(variant), "Hết bưởi")
    db.session.commit()
    packed = pomelo_order(variant)
    _pack(packed, "2400")
    db.session.commit()
    before = database_snapshot()
    for order in (cancelled, packed):
        with pytest.raises(DomainError):
            _pack(order, "2300")
    db.session.rollback()
    assert database_snapshot() == before


# Prepaid settlement and the ledger -----------------------------------------------------------


@pytest.fixture
def commission(app):
    current_app.config["PLATFORM_COMMISSION_PERCENT"] = 5
    yield 5
    current_app.config["PLATFORM_COMMISSION_PERCENT"] = 0


def test_a_lighter_card_box_owes_the_buyer_the_difference_and_leaves_the_farms_balance(
    app, commission
):
    variant = make_pomelo()
    order = pomelo_order(variant, payment_method="stripe")
    pay_by_card(order)
    total = order.total_vnd
    _pack(order, "2300")
    fee = total * 5 // 100
    assert _ledger(order) == [("sale", total), ("commission", -fee), ("refund", -4500)]
    money = settlement(order)
    assert money.refund_due_vnd == 4500 and money.collect_on_delivery_vnd == 0
    # The per-order rule: the ledger holds what the card paid, less commission and the
    # difference due back.
    assert sum(amount for _, amount in _ledger(order)) == total - fee - money.refund_due_vnd

    operator = make_user(role=Role.OPERATOR)
    due = [d for d in payouts.refunds_needed(operator) if d.order == order]
    assert [(d.amount_vnd, d.weight_difference) for d in due] == [(4500, True)]
    owner = _owner(variant)
    assert weight_refunds_for_farm(order.farm, owner) == [order]

    record_weight_refund(order, owner)
    assert settlement(order).refunded
    assert weight_refunds_for_farm(order.farm, owner) == []
    assert not [d for d in payouts.refunds_needed(operator) if d.order == order]
    assert len(_ledger(order)) == 3  # the difference left the balance at packing
    with pytest.raises(DomainError):
        record_weight_refund(order, owner)

    # Cancelled afterwards: the buyer gets back what is left, the farm's ledger goes to zero.
    services.cancel_by_farm(order, owner, "Xe hỏng")
    assert payouts.refund_amounts([order])[order.id] == total - 4500
    assert sum(amount for _, amount in _ledger(order)) == 0


def test_a_heavier_card_box_within_the_farms_limit_is_absorbed(app, commission):
    order = pomelo_order(make_pomelo(absorb_limit_vnd=5000), payment_method="stripe")
    pay_by_card(order)
    total = order.total_vnd
    _pack(order, "2500")
    money = settlement(order)
    assert (money.adjustment_vnd, money.absorbed_vnd, money.collect_on_delivery_vnd) == (
        4500,
        4500,
        0,
    )
    assert money.refund_due_vnd == 0
    fee = total * 5 // 100
    assert _ledger(order) == [("sale", total), ("commission", -fee)]  # nothing moved


def test_a_heavier_transfer_box_above_the_limit_collects_the_rest_on_delivery(app):
    variant = make_pomelo(absorb_limit_vnd=2000)
    order = pomelo_order(variant, payment_method="bank_transfer")
    services.confirm_transfer(order, _owner(variant))
    _pack(order, "2500")
    money = settlement(order)
    assert (money.absorbed_vnd, money.collect_on_delivery_vnd) == (2000, 2500)
    assert _ledger(order) == []  # a transfer went to the farm's own account


def test_a_lighter_transfer_box_is_listed_for_the_farm_to_refund(app):
    variant = make_pomelo()
    order = pomelo_order(variant, payment_method="bank_transfer")
    services.confirm_transfer(order, _owner(variant))
    _pack(order, "2200")
    assert settlement(order).refund_due_vnd == ESTIMATED_ITEMS - price_for_grams(PER_KG, 2200)
    assert weight_refunds_for_farm(order.farm, _owner(variant)) == [order]
    assert _ledger(order) == []
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


@pytest.mark.parametrize(
    ("limit", "grams", "told"),
    [
        (0, "2300", "Bạn sẽ được hoàn 4.500 ₫ đã trả theo ước tính."),
        (5000, "2500", "Nhà vườn chịu phần chênh lệch: bạn không phải trả thêm."),
        (2000, "2500", "Trả thêm 2.500 ₫ khi nhận hàng."),
    ],
)
def test_the_buyer_of_a_prepaid_box_is_told_what_happens_to_the_difference(app, limit, grams, told):
    variant = make_pomelo(absorb_limit_vnd=limit)
    order = pomelo_order(variant, payment_method="bank_transfer")
    services.confirm_transfer(order, _owner(variant))
    _pack(order, grams)
    text = difference_text(order, settlement(order)).replace("\xa0", " ")
    assert text == told
    message = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "order_weighed")
    ).one()
    assert told in message.body.replace("\xa0", " ")


def test_a_price_typed_beside_a_price_per_kg_is_refused_not_replaced(app):
    variant = make_pomelo()
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        products.add_variant(variant.product, _owner(variant), **weighed_fields(price_vnd="99000"))
    assert refused.value.field == "price_vnd"
    assert database_snapshot() == before
    # The page's own price sent back unchanged is no new price.
    products.update_variant(
        variant, _owner(variant), **weighed_fields(price_vnd=str(PIECE_PRICE), weight_grams="1000")
    )
    assert variant.price_vnd == 45000


def test_only_the_weighed_lines_of_a_mixed_order_change_its_total(app):
    pomelo = make_pomelo()
    farm = pomelo.product.farm
    owner = farm.members[0].user
    box = make_product(farm, name="Cam sành", prices=(60000,)).variants[0]
    order = make_checkout([pomelo, box], 2).orders[0]
    weighed, by_the_box = sorted(order.lines, key=lambda line: not line.sold_by_weight)
    with pytest.raises(DomainError):  # a line sold by the box is not weighed
        services.pack_order(order, owner, actual_grams={by_the_box.id: "4000"})
    services.pack_order(order, owner, actual_grams={weighed.id: "2600"})
    assert by_the_box.actual_grams is None and final_line_vnd(by_the_box) == 120000
    assert order.weight_adjustment_vnd == price_for_grams(PER_KG, 2600) - ESTIMATED_ITEMS == 9000
    assert settlement(order).final_total_vnd == order.total_vnd + 9000


def test_a_lighter_card_box_with_a_platform_voucher_keeps_the_ledger_exact(app, commission):
    variant = make_pomelo()
    make_voucher(None, code="NONGSAN", kind="fixed", value="10.000")
    checkout = checkout_with(
        [variant], "NONGSAN", buyer=make_user(), quantity=2, payment_method="stripe"
    )
    order = checkout.orders[0]
    pay_by_card(order)
    before = dict(_ledger(order))
    assert set(before) == {"sale", "platform_discount", "commission"}
    _pack(order, "2300")
    # The weights add only the difference due back to what the voucher and the card wrote.
    assert _ledger(order)[-1] == ("refund", -4500)
    assert dict(_ledger(order)[:-1]) == before
    total, share = order.total_vnd, order.platform_discount_vnd
    fee = (total + share) * 5 // 100
    assert sum(amount for _, amount in _ledger(order)) == total + share - fee - 4500
    assert settlement(order).final_total_vnd == total - 4500


@pytest.mark.parametrize("payment_method", ["cod", "stripe"])
def test_a_lighter_box_never_gives_back_more_than_its_items_cost_after_a_voucher(
    app, commission, payment_method
):
    """A voucher of 60,000 ₫ on 108,000 ₫ of pomelos: the buyer paid 48,000 ₫ for the items.
    Packed at half the estimate (54,000 ₫), the voucher covers the whole box: the buyer is
    owed back the 48,000 ₫ paid for items, not 54,000 ₫, and the final total is the delivery
    fee, never less."""
    variant = make_pomelo()
    make_voucher(None, code="NONGSAN", kind="fixed", value="60.000")
    checkout = checkout_with(
        [variant], "NONGSAN", buyer=make_user(), quantity=2, payment_method=payment_method
    )
    order = checkout.orders[0]
    assert order.total_vnd == ESTIMATED_ITEMS - 60000 + DELIVERY
    if payment_method == "stripe":
        pay_by_card(order)
    _pack(order, "1200")
    money = settlement(order)
    assert money.final_total_vnd == DELIVERY
    if payment_method == "stripe":
        paid_for_items = ESTIMATED_ITEMS - 60000
        assert money.refund_due_vnd == paid_for_items
        assert _ledger(order)[-1] == ("refund", -paid_for_items)
    else:
        assert money.collect_on_delivery_vnd == DELIVERY
    # The report's items at their packed weights stay gross (before the voucher, as ordered).
    today = local_today()
    by_day, by_product = reports.figures(order.farm, _owner(variant), today, today)
    final_items = price_for_grams(PER_KG, 1200)
    assert [day.final_revenue_vnd for day in by_day if day.orders] == [final_items]
    assert [product.final_revenue_vnd for product in by_product] == [final_items]


def test_a_box_weighing_exactly_its_estimate_changes_nothing_whatever_the_rounding(app):
    """33,333 ₫/kg × 1,500 g is 49,999.5 ₫: a piece sells at 50,000 ₫, two at 100,000 ₫. Two
    pieces packed at exactly their 3,000 g estimate owe nobody anything (pricing the whole
    weight afresh said 99,999 ₫: a 1 ₫ "difference" to refund)."""
    variant = make_pomelo()
    products.update_variant(
        variant, _owner(variant), **weighed_fields(price_per_kg_vnd="33333", weight_grams="1500")
    )
    assert variant.price_vnd == 50000
    order = pomelo_order(variant, payment_method="stripe")
    pay_by_card(order)
    _pack(order, "3000")
    assert final_line_vnd(_line(order)) == _line(order).line_total_vnd == 100000
    assert order.weight_adjustment_vnd == 0
    assert settlement(order).refund_due_vnd == 0
    assert [kind for kind, _ in _ledger(order)] == ["sale"]


def test_a_line_weighed_far_below_its_rounded_estimate_never_costs_less_than_nothing(app):
    """1,499 ₫/kg pieces of 1 g sell at 1 ₫ each (1.499 rounded): ten weigh 10 g for 10 ₫.
    Packed at 1 g, the 9 g less are worth 13 ₫: the line costs nothing, not −3 ₫."""
    variant = make_pomelo()
    products.update_variant(
        variant, _owner(variant), **weighed_fields(price_per_kg_vnd="1499", weight_grams="1")
    )
    order = pomelo_order(variant, quantity=10)
    _pack(order, "1", confirm_unusual_weights=True)
    assert final_line_vnd(_line(order)) == 0


def test_a_card_box_weighed_to_almost_nothing_then_cancelled_leaves_its_ledger_at_zero(
    app, commission
):
    """Twenty pomelos (1,080,000 ₫ + 30,000 ₫ delivery) paid by card, 5 % commission
    55,500 ₫; packed at 100 g, 1,075,500 ₫ is due back: the order's ledger is −21,000 ₫.
    Cancelled, the farm's ledger for it goes back to zero (it only ever took back more)."""
    variant = make_pomelo()
    variant.stock = 20
    order = pomelo_order(variant, quantity=20, payment_method="stripe")
    pay_by_card(order)
    _pack(order, "100", confirm_unusual_weights=True)
    assert sum(amount for _, amount in _ledger(order)) == -21000
    services.cancel_by_farm(order, _owner(variant), "Hết hàng")
    assert sum(amount for _, amount in _ledger(order)) == 0


def test_the_settlement_reads_whole_before_and_after_the_weights(app):
    order = pomelo_order(make_pomelo(), payment_method="cod")
    total = order.total_vnd
    assert settlement(order) == Settlement(
        weighed=False,
        estimated_total_vnd=total,
        adjustment_vnd=0,
        final_total_vnd=total,
        refund_due_vnd=0,
        absorbed_vnd=0,
        collect_on_delivery_vnd=total,
        refunded=False,
    )
    _pack(order, "2500")
    assert settlement(order) == Settlement(
        weighed=True,
        estimated_total_vnd=total,
        adjustment_vnd=4500,
        final_total_vnd=total + 4500,
        refund_due_vnd=0,
        absorbed_vnd=0,
        collect_on_delivery_vnd=total + 4500,
        refunded=False,
    )


def test_a_heavier_prepaid_box_is_collected_in_full_when_the_farm_absorbs_nothing(app):
    order = pomelo_order(make_pomelo(absorb_limit_vnd=0), payment_method="bank_transfer")
    services.confirm_transfer(order, order.farm.members[0].user)
    _pack(order, "2500")
    money = settlement(order)
    assert (money.absorbed_vnd, money.collect_on_delivery_vnd) == (0, 4500)


@pytest.mark.parametrize(
    ("payment_method", "adjustment", "limit", "absorbed"),
    [
        ("bank_transfer", 1, 5000, 1),  # one đồng heavier is absorbed too
        ("bank_transfer", 4500, 0, 0),  # no limit set: nothing absorbed
        ("bank_transfer", 0, 5000, 0),
        ("bank_transfer", -4500, 5000, 0),  # lighter: refunded, not absorbed
        ("cod", 4500, 5000, 0),  # cash pays the final total on delivery
    ],
)
def test_what_the_farm_absorbs(app, payment_method, adjustment, limit, absorbed):
    order = pomelo_order(make_pomelo(), payment_method=payment_method)
    assert absorbed_vnd(order, adjustment, limit) == absorbed


def test_a_lighter_card_box_cancelled_before_its_difference_went_back_refunds_it_all(
    app, commission
):
    """The difference was never given back on its own: the cancellation's refund is the
    whole total, not the total less a refund that did not happen."""
    variant = make_pomelo()
    order = pomelo_order(variant, payment_method="stripe")
    pay_by_card(order)
    total = order.total_vnd
    _pack(order, "2300")
    assert settlement(order).refund_due_vnd == 4500 and not settlement(order).refunded

    services.cancel_by_farm(order, _owner(variant), "Xe hỏng")

    assert payouts.refund_amounts([order])[order.id] == total
