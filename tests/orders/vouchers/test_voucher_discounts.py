"""What a voucher takes off a checkout, checked at review and again at place."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import local_today
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from orders import services
from orders.vouchers.models import Voucher, VoucherRedemption
from orders.vouchers.rules import VoucherRefused, apply_code, spread
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact, make_checkout
from tests.orders.vouchers.factories import checkout_with, make_voucher
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot


@pytest.fixture
def shop(app):
    """Two farms: lychee at 180,000 ₫ (delivery 30,000 ₫), pomelo at 55,000 ₫ (25,000 ₫)."""
    lychee_farm = deliver_everywhere(make_farm(name="Vườn vải"))
    pomelo_farm = deliver_everywhere(make_farm(name="HTX Bưởi"), fee_vnd=25000)
    lychee = make_product(lychee_farm, name="Vải thiều", prices=(180000,)).variants[0]
    honey = make_product(lychee_farm, name="Mật ong hoa vải", prices=(120000,)).variants[0]
    pomelo = make_product(pomelo_farm, name="Bưởi Thanh Hồng", prices=(55000,)).variants[0]
    db.session.commit()
    return lychee, honey, pomelo


def _quotes(cart):
    return services.quote(cart, province_code="01", today=local_today())


def test_a_farm_percentage_voucher_discounts_its_items_not_delivery(shop):
    lychee, _, _ = shop
    buyer = make_user()
    make_voucher(lychee.product.farm, value="10")
    order = checkout_with([lychee], "giam10", buyer=buyer, quantity=2).orders[0]
    assert (order.subtotal_vnd, order.delivery_fee_vnd) == (360000, 30000)
    assert (order.discount_vnd, order.platform_discount_vnd, order.total_vnd) == (36000, 0, 354000)
    redemption = db.session.scalar(select(VoucherRedemption))
    assert (redemption.order_id, redemption.buyer_id, redemption.amount_vnd) == (
        order.id,
        buyer.id,
        36000,
    )
    assert db.session.scalar(select(Voucher.used_count)) == 1


def test_a_percentage_is_capped_and_a_fixed_amount_never_exceeds_the_items(shop):
    lychee, _, pomelo = shop
    make_voucher(lychee.product.farm, value="50", max_discount_vnd="40.000")
    make_voucher(pomelo.product.farm, code="BOT200K", kind="fixed", value="200.000")
    capped = checkout_with([lychee], "GIAM10", buyer=make_user()).orders[0]
    assert (capped.discount_vnd, capped.total_vnd) == (40000, 170000)
    whole = checkout_with([pomelo], "BOT200K", buyer=make_user()).orders[0]
    # The items cost 55,000 ₫: that is all it takes; delivery is still paid.
    assert (whole.discount_vnd, whole.total_vnd) == (55000, 25000)


def test_a_voucher_limited_to_products_discounts_only_those_lines(shop):
    lychee, honey, _ = shop
    make_voucher(lychee.product.farm, value="10", product_ids=[honey.product_id])
    order = checkout_with([lychee, honey], "GIAM10", buyer=make_user()).orders[0]
    assert order.subtotal_vnd == 300000
    assert (order.discount_vnd, order.total_vnd) == (12000, 318000)


def test_a_platform_voucher_spreads_over_the_farms_by_subtotal_remainder_to_the_largest(shop):
    lychee, _, pomelo = shop
    make_voucher(None, code="NONGSAN", kind="fixed", value="10.001")
    first, second = checkout_with([lychee, pomelo], "nongsan", buyer=make_user()).orders
    # 180,000 and 55,000 of 235,000: 7,660.2… and 2,340.8… → 7,660 and 2,340, the 1 đồng
    # left over goes to the larger order.
    assert (first.discount_vnd, second.discount_vnd) == (7661, 2340)
    assert (first.platform_discount_vnd, second.platform_discount_vnd) == (7661, 2340)
    assert (first.total_vnd, second.total_vnd) == (210000 - 7661, 80000 - 2340)
    assert db.session.scalar(select(Voucher.used_count)) == 1  # one use per checkout


def test_spreading_never_gives_an_order_more_than_its_items():
    assert spread(5, {1: 2, 2: 2, 3: 1}) == {1: 2, 2: 2, 3: 1}
    assert spread(3, {1: 2, 2: 1}) == {1: 2, 2: 1}
    assert sum(spread(999, {1: 1000, 2: 1000, 3: 1000}).values()) == 999


def test_codes_are_read_in_any_case_and_a_farm_code_only_for_its_own_lines(shop):
    lychee, _, pomelo = shop
    make_voucher(lychee.product.farm)
    with pytest.raises(VoucherRefused) as refused:
        apply_code(_quotes({pomelo.id: 1}), " giam10 ", buyer=make_user(), now=utcnow())
    assert "GIAM10" in str(refused.value.message)
    assert refused.value.field == "voucher_code"


def _refusal(quotes, code, buyer, now=None):
    with pytest.raises(VoucherRefused) as refused:
        apply_code(quotes, code, buyer=buyer, now=now or utcnow())
    return str(refused.value.message)


def test_each_refusal_says_why(shop, app):
    lychee, honey, pomelo = shop
    farm = lychee.product.farm
    buyer = make_user()
    quotes = _quotes({lychee.id: 1})
    make_voucher(farm, code="LATER", starts_on=local_today() + timedelta(days=2))
    later = _refusal(quotes, "LATER", buyer)
    assert "LATER bắt đầu từ 00:00 " in later
    expired = make_voucher(farm, code="OLD")
    assert _refusal(quotes, "OLD", buyer, now=expired.ends_at) == "Mã giảm giá OLD đã hết hạn."
    make_voucher(farm, code="BIG", min_spend_vnd="500.000")
    # 180,000 ₫ of 500,000 ₫: 320,000 ₫ missing, said in đồng.
    big = _refusal(quotes, "BIG", buyer).replace("\xa0", " ")
    assert "500.000 ₫" in big and "mua thêm 320.000 ₫" in big
    make_voucher(farm, code="HONEY", product_ids=[honey.product_id])
    assert "HONEY không áp dụng cho các sản phẩm này" in _refusal(quotes, "HONEY", buyer)
    off = make_voucher(farm, code="OFF")
    off.active = False
    assert "OFF không còn hiệu lực" in _refusal(quotes, "OFF", buyer)
    assert "Không có mã giảm giá NOPE" in _refusal(quotes, "nope", buyer)
    assert "đăng nhập" in _refusal(quotes, "GIAM10", None)  # a guest signs in first
    # Nothing was written on the quotes by a refusal.
    assert [q.discount_vnd for q in quotes] == [0]


def test_used_up_already_used_and_first_order_only_are_refused(shop):
    lychee, _, pomelo = shop
    farm = lychee.product.farm
    buyer = make_user()
    make_voucher(farm, code="ONE", total_uses="1")
    checkout_with([lychee], "ONE", buyer=buyer)
    assert "ONE đã hết lượt dùng" in _refusal(_quotes({lychee.id: 1}), "ONE", make_user())
    make_voucher(farm, code="TWICE", total_uses="5")
    checkout_with([lychee], "TWICE", buyer=buyer)
    with pytest.raises(VoucherRefused) as again:
        checkout_with([lychee], "TWICE", buyer=buyer)  # one use per buyer
    assert str(again.value.message) == "Bạn đã dùng mã giảm giá TWICE rồi."
    make_voucher(farm, code="WELCOME", first_order_only=True)
    welcome = _refusal(_quotes({lychee.id: 1}), "WELCOME", buyer)  # has ordered from the farm
    assert "đơn đầu tiên ở Vườn vải" in welcome
    newcomer = make_user()
    make_checkout([pomelo], buyer=newcomer)  # another farm: still a first order here
    assert checkout_with([lychee], "WELCOME", buyer=newcomer).orders[0].discount_vnd == 18000
    make_voucher(None, code="FIRST", first_order_only=True)
    first = _refusal(_quotes({lychee.id: 1}), "FIRST", newcomer)  # not a first order anywhere
    assert first == "Mã giảm giá FIRST chỉ dành cho đơn hàng đầu tiên."


def test_a_cancelled_order_is_not_an_earlier_order(shop):
    lychee, _, _ = shop
    buyer = make_user()
    earlier = make_checkout([lychee], buyer=buyer, payment_method="cod").orders[0]
    services.cancel_by_buyer(earlier, buyer)
    make_voucher(lychee.product.farm, first_order_only=True)
    assert checkout_with([lychee], "GIAM10", buyer=buyer).orders[0].discount_vnd == 18000


def test_placing_with_a_voucher_the_review_did_not_show_is_refused_and_changes_nothing(shop):
    lychee, _, _ = shop
    buyer = make_user()
    make_voucher(lychee.product.farm)
    reviewed = {q.farm.id: q.total_vnd for q in _quotes({lychee.id: 1})}  # 210,000 ₫
    db.session.commit()
    before = database_snapshot()
    with pytest.raises(services.PricesChanged):
        services.place_order(
            {lychee.id: 1},
            buyer=buyer,
            contact=hanoi_contact(),
            payment_method="cod",
            shown_prices={lychee.id: lychee.price_vnd},
            today=local_today(),
            reviewed_totals=reviewed,
            voucher_code="GIAM10",
        )
    db.session.rollback()
    assert database_snapshot() == before


def test_a_voucher_disabled_after_the_review_is_refused_at_place(shop):
    lychee, _, _ = shop
    buyer = make_user()
    voucher = make_voucher(lychee.product.farm)
    quotes = _quotes({lychee.id: 1})
    apply_code(quotes, "GIAM10", buyer=buyer, now=utcnow())
    reviewed = {q.farm.id: q.total_vnd for q in quotes}
    assert reviewed == {lychee.product.farm_id: 192000}
    voucher.active = False
    db.session.commit()
    before = database_snapshot()
    with pytest.raises(VoucherRefused):
        services.place_order(
            {lychee.id: 1},
            buyer=buyer,
            contact=hanoi_contact(),
            payment_method="cod",
            shown_prices={lychee.id: lychee.price_vnd},
            today=local_today(),
            reviewed_totals=reviewed,
            voucher_code="GIAM10",
        )
    db.session.rollback()
    assert database_snapshot() == before


def test_a_farms_running_code_comes_before_the_platforms_and_a_disabled_one_after(shop):
    lychee, _, _ = shop
    farm = lychee.product.farm
    make_voucher(None, code="SALE", kind="fixed", value="5000")
    own = make_voucher(farm, code="SALE", kind="fixed", value="7000")
    assert checkout_with([lychee], "SALE", buyer=make_user()).orders[0].discount_vnd == 7000
    own.active = False
    order = checkout_with([lychee], "SALE", buyer=make_user()).orders[0]
    assert (order.discount_vnd, order.platform_discount_vnd) == (5000, 5000)


def test_a_used_up_farm_code_gives_way_to_the_platforms_running_one(shop):
    lychee, _, _ = shop
    make_voucher(None, code="SALE", kind="fixed", value="5000")
    make_voucher(lychee.product.farm, code="SALE", kind="fixed", value="7000", total_uses="1")
    assert checkout_with([lychee], "SALE", buyer=make_user()).orders[0].discount_vnd == 7000
    order = checkout_with([lychee], "SALE", buyer=make_user()).orders[0]
    assert (order.discount_vnd, order.platform_discount_vnd) == (5000, 5000)


@pytest.mark.parametrize("payment_method", ["bank_transfer", "stripe"])
def test_an_order_a_voucher_makes_free_is_not_sent_to_a_payment_of_nothing(app, payment_method):
    farm = deliver_everywhere(make_farm(), pickup_enabled=True, pickup_address="Thôn Thúy Lâm")
    pomelo = make_product(farm, prices=(55000,)).variants[0]
    make_voucher(farm, code="BOT200K", kind="fixed", value="200.000")
    buyer = make_user()
    pickup = {farm.id: "pickup"}
    before = database_snapshot()
    with pytest.raises(DomainError, match="không phải trả gì") as refused:
        with db.session.begin_nested():
            checkout_with(
                [pomelo],
                "BOT200K",
                buyer=buyer,
                payment_method=payment_method,
                delivery_methods=pickup,
            )
    assert refused.value.field == "payment_method"
    assert database_snapshot() == before
    # Cash on delivery places it: confirmed, nothing to collect.
    order = checkout_with(
        [pomelo], "BOT200K", buyer=buyer, payment_method="cod", delivery_methods=pickup
    ).orders[0]
    assert (order.status, order.discount_vnd, order.total_vnd) == ("confirmed", 55000, 0)
