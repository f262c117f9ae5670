"""A cart from several farms becomes one checkout with one order per farm."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.clock import local_today
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from orders import services
from orders.delivery import set_delivery_settings, set_zone
from orders.models import Order
from orders.states import OrderStatus, PaymentStatus
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product, preorder_fields
from tests.support.snapshots import database_snapshot


@pytest.fixture
def two_farms(app):
    lychee = make_product(
        deliver_everywhere(make_farm(name="Vườn vải")), name="Vải thiều", prices=(180000,)
    )
    pomelo = make_product(
        deliver_everywhere(make_farm(name="HTX Bưởi"), fee_vnd=25000),
        name="Bưởi Thanh Hồng",
        prices=(55000,),
    )
    db.session.commit()  # as in production, the catalog exists before the checkout's transaction
    return lychee.variants[0], pomelo.variants[0]


def _place(cart, *, method="bank_transfer", buyer=None, shown=None, **kwargs):
    from products.models import Variant

    prices = shown or {vid: db.session.get(Variant, vid).price_vnd for vid in cart}
    return services.place_order(
        cart,
        buyer=buyer,
        contact=kwargs.pop("contact", hanoi_contact()),
        payment_method=method,
        shown_prices=prices,
        today=local_today(),
        **kwargs,
    )


def test_one_checkout_gives_one_order_per_farm_with_its_own_number_and_total(two_farms):
    lychee, pomelo = two_farms
    checkout = _place({lychee.id: 2, pomelo.id: 3})

    first, second = checkout.orders
    assert first.number == f"NS{first.id:06d}" and second.number != first.number
    assert (first.subtotal_vnd, first.delivery_fee_vnd, first.total_vnd) == (360000, 30000, 390000)
    assert (second.subtotal_vnd, second.delivery_fee_vnd, second.total_vnd) == (
        165000,
        25000,
        190000,
    )
    assert checkout.total_vnd == 580000
    assert first.status == "awaiting_payment" and first.payment_status == "unpaid"
    assert first.pay_before is not None
    assert _reload_stock(lychee, pomelo) == (38, 37)


def _reload_stock(*variants):
    for variant in variants:
        db.session.refresh(variant)
    return tuple(v.stock for v in variants)


def test_cash_on_delivery_is_confirmed_without_payment(two_farms):
    lychee, _ = two_farms
    order = _place({lychee.id: 1}, method="cod").orders[0]
    assert (order.status, order.payment_status) == ("confirmed", "unpaid")
    assert [e.to_state for e in order.events] == ["confirmed"]


def test_a_changed_price_is_told_and_nothing_is_placed(two_farms):
    lychee, pomelo = two_farms
    before = database_snapshot()
    with pytest.raises(services.PricesChanged) as told:
        _place({lychee.id: 1, pomelo.id: 1}, shown={lychee.id: 150000, pomelo.id: 55000})
    assert "Vải thiều" in str(told.value.message)
    assert database_snapshot() == before


def test_a_delivery_fee_raised_after_the_review_is_told_and_nothing_is_placed(two_farms):
    lychee, pomelo = two_farms
    reviewed = {q.farm.id: q.total_vnd for q in _quote({lychee.id: 1, pomelo.id: 1})}
    farm = lychee.product.farm
    set_zone(farm, farm.members[0].user, province_code="00", fee_rule="flat", fee_vnd="900000")
    before = database_snapshot()
    with pytest.raises(services.PricesChanged) as told:
        _place({lychee.id: 1, pomelo.id: 1}, reviewed_totals=reviewed)
    message = str(told.value.message)
    assert "Vườn vải" in message and "HTX Bưởi" not in message
    assert database_snapshot() == before


def test_a_farm_missing_from_the_review_is_told(two_farms):
    lychee, pomelo = two_farms
    reviewed = {q.farm.id: q.total_vnd for q in _quote({lychee.id: 1})}
    before = database_snapshot()
    with pytest.raises(services.PricesChanged):
        _place({lychee.id: 1, pomelo.id: 1}, reviewed_totals=reviewed)
    assert database_snapshot() == before


def test_the_reviewed_totals_place_the_order(two_farms):
    lychee, pomelo = two_farms
    reviewed = {q.farm.id: q.total_vnd for q in _quote({lychee.id: 1, pomelo.id: 1})}
    checkout = _place({lychee.id: 1, pomelo.id: 1}, reviewed_totals=reviewed)
    assert {o.farm_id: o.total_vnd for o in checkout.orders} == reviewed


def _quote(cart):
    return services.quote(cart, province_code="01", today=local_today())


def test_asking_for_more_than_is_left_is_sold_out_and_takes_nothing(two_farms):
    lychee, pomelo = two_farms
    before = database_snapshot()
    with pytest.raises(services.SoldOut):
        _place({pomelo.id: 2, lychee.id: 41})
    assert database_snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, 1001, 2.5, "3"])
def test_impossible_quantities_are_refused(two_farms, quantity):
    lychee, _ = two_farms
    before = database_snapshot()
    with pytest.raises(DomainError):
        _place({lychee.id: quantity}, shown={lychee.id: 180000})
    assert database_snapshot() == before


def test_unknown_or_unpublished_variants_are_refused(two_farms):
    draft = make_product(deliver_everywhere(make_farm()), publish=False)
    before = database_snapshot()
    with pytest.raises(DomainError):
        _place({999999: 1}, shown={999999: 1})
    with pytest.raises(DomainError):
        _place({draft.variants[0].id: 1})
    assert database_snapshot() == before


def test_the_farm_minimum_order_is_enforced_with_a_clear_message(app):
    variant = make_product(
        deliver_everywhere(make_farm(name="HTX Chè"), min_order_vnd=300000), prices=(150000,)
    ).variants[0]
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        _place({variant.id: 1})
    assert "HTX Chè" in str(refused.value.message) and "300.000" in str(refused.value.message)
    assert database_snapshot() == before
    assert _place({variant.id: 2}).orders[0].subtotal_vnd == 300000


def test_delivery_fees_per_started_weight_step_and_free_above_a_threshold(app):
    farm = make_farm()
    owner = farm.members[0].user
    set_delivery_settings(
        farm,
        owner,
        min_order_vnd="0",
        free_delivery_from_vnd="1.000.000",
        pickup_enabled=True,
        pickup_address="Thôn Thúy Lâm",
    )
    set_zone(
        farm,
        owner,
        province_code="01",
        fee_rule="per_weight",
        fee_vnd="15000",
        weight_step_grams="5000",
    )
    variant = make_product(farm, prices=(180000,)).variants[0]  # 2.3 kg a box

    assert _place({variant.id: 3}).orders[0].delivery_fee_vnd == 30000  # 6.9 kg: 2 steps
    assert _place({variant.id: 6}).orders[0].delivery_fee_vnd == 0  # 1,080,000 ₫: free
    before = database_snapshot()
    with pytest.raises(DomainError, match="giao hàng|deliver"):  # no zone for Hồ Chí Minh City
        _place({variant.id: 1}, contact=hanoi_contact(province_code="79", commune="26740"))
    assert database_snapshot() == before
    pickup = _place(
        {variant.id: 1},
        contact=hanoi_contact(province_code="79", commune="26740"),
        delivery_methods={farm.id: "pickup"},
    )
    assert pickup.orders[0].delivery_fee_vnd == 0


def test_pre_orders_take_capacity_and_show_the_shipping_date(app):
    today = local_today()
    product = make_product(deliver_everywhere(make_farm()), **preorder_fields(3, today))
    opens = product.preorder_ships_on
    line = _place({product.variants[0].id: 2}).orders[0].lines[0]
    db.session.refresh(product)
    assert line.ships_on == opens and product.preorder_taken == 2
    with pytest.raises(services.SoldOut):
        _place({product.variants[0].id: 2})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "123"}, "phone"),
        ({"name": ""}, "name"),
        ({"province_code": "30"}, "province_code"),
        ({"email": "not-mail"}, "email"),
        ({"street": "x" * 300}, "street"),
    ],
)
def test_bad_contact_details_are_refused(two_farms, changes, field):
    lychee, _ = two_farms
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        _place({lychee.id: 1}, contact=hanoi_contact(**changes))
    assert refused.value.field == field
    assert database_snapshot() == before


def test_only_allowed_transitions_happen(two_farms):
    lychee, _ = two_farms
    order = _place({lychee.id: 1}).orders[0]
    before = database_snapshot()
    with pytest.raises(DomainError):
        services.move_order(order, OrderStatus.SHIPPED, actor=None)
    assert order.status == "awaiting_payment"
    assert database_snapshot() == before


def test_cancelling_gives_the_stock_back_exactly_once(two_farms):
    lychee, _ = two_farms
    order = _place({lychee.id: 5}).orders[0]
    assert _reload_stock(lychee) == (35,)
    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)
    assert _reload_stock(lychee) == (40,)
    with pytest.raises(DomainError):
        services.move_order(order, OrderStatus.CANCELLED, actor=None)
    services.expire_unpaid_orders(datetime.now(UTC) + timedelta(days=2))
    assert _reload_stock(lychee) == (40,)


def test_unpaid_orders_expire_and_their_stock_returns(two_farms):
    lychee, pomelo = two_farms
    unpaid = _place({lychee.id: 4}).orders[0]
    cod = _place({pomelo.id: 4}, method="cod").orders[0]
    assert services.expire_unpaid_orders(datetime.now(UTC) + timedelta(hours=1)) == []
    assert services.expire_unpaid_orders(datetime.now(UTC) + timedelta(hours=25)) == [unpaid]
    assert (unpaid.status, cod.status) == ("cancelled", "confirmed")
    assert _reload_stock(lychee, pomelo) == (40, 36)


def test_only_the_buyer_or_the_guest_with_the_token_cancels(two_farms):
    lychee, _ = two_farms
    buyer = make_user()
    order = _place({lychee.id: 1}, buyer=buyer).orders[0]
    stranger = make_user()
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.cancel_by_buyer(order, stranger)
    with pytest.raises(PermissionDenied):
        services.cancel_by_buyer(order, None, access_token="guess")
    assert database_snapshot() == before
    services.cancel_by_buyer(order, buyer)
    assert order.status == "cancelled"


def test_the_buyer_cannot_cancel_once_packed_but_the_farm_can_with_a_reason(two_farms):
    lychee, _ = two_farms
    buyer = make_user()
    order = _place({lychee.id: 1}, buyer=buyer, method="cod").orders[0]
    farmer = order.farm.members[0].user
    services.move_order(order, OrderStatus.PACKED, actor=farmer)
    before = database_snapshot()
    with pytest.raises(DomainError):
        services.cancel_by_buyer(order, buyer)
    with pytest.raises(DomainError):
        services.cancel_by_farm(order, farmer, "")
    assert database_snapshot() == before
    services.cancel_by_farm(order, farmer, "Mưa đá làm hỏng quả")
    assert order.status == "cancelled" and order.events[-1].note == "Mưa đá làm hỏng quả"


def test_a_farm_confirms_only_its_own_transfers(two_farms):
    lychee, pomelo = two_farms
    order = _place({lychee.id: 1}).orders[0]
    other_farmer = db.session.scalar(select(Order).limit(1)).farm.members[0].user
    stranger = make_user(role=Role.FARMER)
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.confirm_transfer(order, stranger)
    assert database_snapshot() == before
    services.confirm_transfer(order, other_farmer)
    assert (order.status, order.payment_status) == ("confirmed", PaymentStatus.PAID)
    assert [(e.kind, e.to_state) for e in order.events] == [
        ("status", "awaiting_payment"),
        ("payment", "paid"),
        ("status", "confirmed"),
    ]


def test_the_expire_orders_command_cancels_only_overdue_orders(two_farms, app):
    lychee, _ = two_farms
    order = _place({lychee.id: 1}).orders[0]
    order.pay_before = datetime.now(UTC) - timedelta(minutes=1)
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["expire-orders"])
    assert "1 unpaid order(s) expired." in result.output
    db.session.refresh(order)
    assert order.status == "cancelled"


def test_a_farm_reviewed_but_no_longer_in_the_cart_is_told_and_nothing_is_placed(two_farms):
    # Given a review of two farms' orders (another tab then removed one farm from the cart)
    lychee, pomelo = two_farms
    reviewed = {q.farm.id: q.total_vnd for q in _quote({lychee.id: 1, pomelo.id: 1})}

    # When the buyer places what is left, then the checkout is no longer what they reviewed
    before = database_snapshot()
    with pytest.raises(services.PricesChanged):
        _place({lychee.id: 1}, reviewed_totals=reviewed)
    assert database_snapshot() == before


def test_an_unpaid_order_may_be_paid_until_its_deadline_and_not_at_it(two_farms):
    lychee, _ = two_farms
    order = _place({lychee.id: 1}).orders[0]
    deadline = order.pay_before
    assert services.can_still_pay(order, deadline - timedelta(seconds=1))
    assert not services.can_still_pay(order, deadline)


def test_an_order_whose_transfer_is_under_review_is_not_offered_for_payment(two_farms):
    # Given a bank-transfer order still awaiting payment, whose transfer of the wrong amount
    # is kept for review
    lychee, _ = two_farms
    order = _place({lychee.id: 1}).orders[0]
    services.set_payment_status(order, PaymentStatus.NEEDS_REVIEW, actor=None, note="partial")

    # Then no page may offer to pay it again: the buyer would pay twice
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert not services.can_still_pay(order, datetime.now(UTC))


def test_adding_pre_orders_counts_the_places_already_taken(app):
    # Given a pre-order of 3 places, 2 of them taken
    today = local_today()
    product = make_product(deliver_everywhere(make_farm()), **preorder_fields(3, today))
    variant = product.variants[0]
    _place({variant.id: 2})
    db.session.refresh(product)

    # When a buyer asks for 2 more, then only the 1 place left is offered
    with pytest.raises(services.SoldOut) as told:
        services.check_available(variant, 2, today)
    assert "1" in str(told.value.message)
    services.check_available(variant, 1, today)


def test_a_second_confirmation_of_a_transfer_after_cancellation_records_it_once(two_farms):
    # Given a bank-transfer order cancelled by its buyer, whose transfer the farm then saw
    lychee, _ = two_farms
    order = _place({lychee.id: 1}).orders[0]
    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)
    farmer = order.farm.members[0].user
    services.confirm_transfer(order, farmer)
    assert (order.status, order.payment_status) == ("cancelled", PaymentStatus.REFUND_NEEDED)
    events = len(order.events)

    # When the farm confirms it again (a second tap), then nothing more is recorded
    services.confirm_transfer(order, farmer)
    assert order.payment_status == PaymentStatus.REFUND_NEEDED
    assert len(order.events) == events


def test_the_worker_expires_overdue_orders_every_minute(two_farms, app):
    # Given one overdue order and one still within its time to pay
    from app.jobs import huey
    from orders.jobs import expire_overdue_orders

    lychee, pomelo = two_farms
    overdue = _place({lychee.id: 1}).orders[0]
    waiting = _place({pomelo.id: 1}).orders[0]
    overdue.pay_before = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()

    # The job is on the worker's schedule, every minute (no cron to set up)
    periodic = {task.name: task for task in huey._registry.periodic_tasks}
    assert periodic["orders.jobs.expire_overdue_orders"].validate_datetime(
        datetime(2026, 7, 1, 9, 13)
    )

    # When the worker runs it, then only the overdue order is cancelled
    assert expire_overdue_orders.call_local() == 1
    db.session.expire_all()
    assert (overdue.status, waiting.status) == ("cancelled", "awaiting_payment")
