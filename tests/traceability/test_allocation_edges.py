"""Packing from batches at its edges: which batches are offered (the farm's open batches of
the line's product and season, oldest harvest first), how typed quantities are read, and what
is recorded, or refused with nothing recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.errors import DomainError
from app.extensions import db
from orders import services as order_services
from orders.models import Order
from tests.farms.factories import make_farm, make_growing_area
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.traceability.factories import harvest, make_batch
from traceability import allocation
from traceability.models import BatchAllocation, BatchStatus

#: Between two seasons of a product sold from 1/5 to 25/6 (the factories' NOW is 25/6/2026).
NOVEMBER = date(2026, 11, 29)


@pytest.fixture
def farm(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    make_growing_area(farm)
    return deliver_everywhere(farm)


def _order(product, quantity=3, today=NOVEMBER):
    variant = product.variants[0]
    variant.stock = 100
    checkout = order_services.place_order(
        {variant.id: quantity},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={variant.id: variant.price_vnd},
        today=today,
    )
    db.session.commit()
    return checkout.orders[0]


def _rice(farm):
    """Rice, sold all year, with two harvested batches: ST-A (the older harvest, though
    recorded second) and ST-B."""
    rice = make_product(farm, name="Gạo ST25")
    newer, older = make_batch(farm, rice, code="ST-B"), make_batch(farm, rice, code="ST-A")
    harvest(older, 30)
    harvest(newer, 3)
    return rice, older, newer


def _another_farms_batch():
    other_farm = make_farm(name="Vườn bên cạnh")
    make_growing_area(other_farm)
    batch = make_batch(other_farm, make_product(other_farm, name="Gạo lạ"))
    harvest(batch, 2)
    return batch


def _pack(order, choices):
    line = order.lines[0]
    allocation.pack_with_batches(order, farm_owner(order), {line.id: choices}, today=NOVEMBER)


def farm_owner(order):
    return order.farm.members[0].user


def _allocations(order):
    return sorted(
        db.session.execute(
            select(BatchAllocation.batch_id, BatchAllocation.quantity).where(
                BatchAllocation.order_line_id == order.lines[0].id
            )
        ).all()
    )


def _refusal(order, choices) -> str:
    with pytest.raises(DomainError) as refused:
        _pack(order, choices)
    with force_locale("en"):
        return str(refused.value.message)


def _nothing_recorded(order) -> bool:
    db.session.rollback()
    return (
        db.session.get(Order, order.id).status == "confirmed"
        and db.session.scalar(select(func.count(BatchAllocation.id))) == 0
    )


def test_a_line_is_packed_from_each_batch_chosen_with_its_quantity(app, farm):
    rice, older, newer = _rice(farm)
    harvest(make_batch(farm, rice, code="ST-0"), 5)  # offered, not chosen
    order = _order(rice)

    _pack(order, [(str(newer.id), "2"), (str(older.id), " 1 ")])

    assert order.status == "packed"
    assert _allocations(order) == sorted([(older.id, 1), (newer.id, 2)])
    line = order.lines[0]
    assert allocation.batches_of_lines([line.id]) == {line.id: [older, newer]}  # by code


def test_a_batch_chosen_twice_for_a_line_is_one_allocation(app, farm):
    rice, older, _ = _rice(farm)
    order = _order(rice)

    _pack(order, [(str(older.id), "1"), ("", ""), (str(older.id), "2")])

    assert _allocations(order) == [(older.id, 3)]


def test_a_line_without_a_batch_is_packed_without_one(app, farm):
    rice, _, _ = _rice(farm)
    order = _order(rice)

    _pack(order, [("", "3")])

    assert order.status == "packed" and _allocations(order) == []
    assert allocation.batches_of_lines([order.lines[0].id]) == {}


def test_batches_that_do_not_add_up_to_the_line_are_refused(app, farm):
    rice, older, newer = _rice(farm)
    order = _order(rice)

    message = _refusal(order, [(str(older.id), "1"), (str(newer.id), "1")])

    assert message == "Gạo ST25: the batches add up to 2, the order has 3."
    assert _nothing_recorded(order)


@pytest.mark.parametrize("typed", ["0", "-1", "100001", "two", ""])
def test_a_quantity_that_is_not_a_sensible_count_is_refused(app, farm, typed):
    rice, older, _ = _rice(farm)
    order = _order(rice)

    message = _refusal(order, [(str(older.id), typed)])

    assert message == "Gạo ST25: enter how many units came from each batch."
    assert _nothing_recorded(order)


def test_the_largest_count_read_is_a_hundred_thousand(app, farm):
    rice, older, _ = _rice(farm)
    order = _order(rice)

    # The count is read, then found not to add up to the line: not refused as unreadable
    message = _refusal(order, [(str(older.id), "100000")])

    assert message == "Gạo ST25: the batches add up to 100000, the order has 3."


def test_a_batch_not_offered_is_refused(app, farm):
    rice, older, _ = _rice(farm)
    strangers = _another_farms_batch()
    order = _order(rice)

    message = _refusal(order, [(str(strangers.id), "3")])

    assert message == "Gạo ST25: choose one of the batches offered."
    assert _nothing_recorded(order)


def test_a_batch_sold_out_while_the_farm_chose_is_refused_by_its_code(app, farm, monkeypatch):
    # Given the batches offered to the farm, then the older one sold out before it submits
    rice, older, _ = _rice(farm)
    order = _order(rice)
    offered = allocation.choices_for(order, today=NOVEMBER)
    monkeypatch.setattr(allocation, "choices_for", lambda *args, **kwargs: offered)
    older.status = BatchStatus.SOLD_OUT
    db.session.commit()

    message = _refusal(order, [(str(older.id), "3")])

    assert message == "Gạo ST25: batch ST-A was recalled or sold out; choose another."
    assert _nothing_recorded(order)


def test_only_the_farms_open_batches_of_the_product_are_offered_oldest_first(app, farm):
    rice, older, newer = _rice(farm)
    sold_out, growing = make_batch(farm, rice), make_batch(farm, rice)
    harvest(sold_out, 40)
    sold_out.status = BatchStatus.SOLD_OUT
    tea = make_product(farm, name="Chè Thái")
    harvest(make_batch(farm, tea), 50)
    db.session.flush()

    offered = allocation.open_batches(farm.id, [rice.id, tea.id + 1000])

    assert offered == {rice.id: [older, newer], tea.id + 1000: []}
    assert growing not in offered[rice.id]


def test_batches_harvested_on_the_first_and_last_day_of_the_season_are_offered(app, farm):
    # Given lychee sold from 1/5 to 25/6, harvested on 30/4, 1/5 and 25/6 of 2026
    lychee = make_product(farm, name="Vải thiều", season_start="1/5", season_end="25/6")
    early, first, last = (make_batch(farm, lychee) for _ in range(3))
    harvest(early, 56)
    harvest(first, 55)
    harvest(last, 0)
    order = _order(lychee, today=date(2026, 6, 1))

    # When the farm packs in November, then the whole of that season is offered, nothing before
    offered = allocation.choices_for(order, today=NOVEMBER)[order.lines[0].id]

    assert offered == [first, last]


def test_a_recalled_batch_is_not_offered_whatever_its_status_says(app, farm):
    # Given a batch whose recall is recorded though its status still reads "harvested"
    rice, older, newer = _rice(farm)
    older.recalled_at = datetime(2026, 6, 20, tzinfo=UTC)
    db.session.flush()

    # Then only the other batch is offered
    assert allocation.open_batches(farm.id, [rice.id]) == {rice.id: [newer]}
    assert older.status == BatchStatus.HARVESTED


def test_another_farms_batch_is_never_offered_even_naming_this_product(app, farm):
    # Given another farm's batch made to name this farm's product (a data error)
    rice, older, newer = _rice(farm)
    stranger = _another_farms_batch()
    stranger.product_id = rice.id
    db.session.flush()

    assert allocation.open_batches(farm.id, [rice.id]) == {rice.id: [older, newer]}


def test_a_line_whose_variant_was_deleted_is_offered_no_batch(app, farm):
    rice, _, _ = _rice(farm)
    order = _order(rice)
    line = order.lines[0]
    line.variant_id = None
    db.session.flush()

    assert allocation.choices_for(order, today=NOVEMBER) == {line.id: []}


def test_packing_offers_the_season_of_the_day_it_is_given(app, farm):
    # Given lychee (1/5 – 25/6) harvested in June 2026, ordered in June 2027
    lychee = make_product(farm, name="Vải thiều", season_start="1/5", season_end="25/6")
    last_year = make_batch(farm, lychee)
    harvest(last_year, 5)
    june_2027 = date(2027, 6, 1)
    order = _order(lychee, today=june_2027)
    line = order.lines[0]

    # When the farm packs it on 1 June 2027, then last year's batch is refused
    with pytest.raises(DomainError):
        allocation.pack_with_batches(
            order, farm_owner(order), {line.id: [(str(last_year.id), "3")]}, today=june_2027
        )
    assert _nothing_recorded(order)
