"""Packing offers this season's batches only, and a pre-order ships before its date only when
the farm confirms it and the buyer is told (issue 10, money and food safety 4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.errors import DomainError
from app.extensions import db
from orders import services as order_services
from orders.models import Order, OrderEvent
from products.seasons import month_day, month_day_text
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch
from traceability import allocation
from traceability.models import BatchAllocation

#: Late November 2026, between two lychee seasons (15/5 – 15/7).
NOVEMBER = date(2026, 11, 29)


@pytest.fixture
def farm(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    make_growing_area(farm)
    deliver_everywhere(farm)
    return farm


def _owner(farm):
    return farm.members[0].user


def _order(product, today, quantity=2, email="anh@example.vn"):
    variant = product.variants[0]
    checkout = order_services.place_order(
        {variant.id: quantity},
        buyer=None,
        contact=hanoi_contact(email=email),
        payment_method="cod",
        shown_prices={variant.id: variant.price_vnd},
        today=today,
    )
    return checkout.orders[0]


def test_packing_offers_only_batches_harvested_in_the_most_recent_season(farm):
    # Given lychee (season 15/5 – 15/7) with a batch from 2025 and one from 2026
    lychee = make_product(farm, name="Vải thiều", season_start="15/5", season_end="15/7")
    last_year, this_year = make_batch(farm, lychee), make_batch(farm, lychee)
    harvest(last_year, 365)  # 25/06/2025
    harvest(this_year, 2)  # 23/06/2026
    order = _order(lychee, today=date(2026, 6, 26))
    db.session.commit()

    # When the farm packs it in November
    offered = allocation.choices_for(order, today=NOVEMBER)[order.lines[0].id]

    # Then only the 2026 harvest is offered, and last year's batch is refused
    assert offered == [this_year]
    line = order.lines[0]
    with pytest.raises(DomainError):
        allocation.pack_with_batches(
            order, _owner(farm), {line.id: [(str(last_year.id), "2")]}, today=NOVEMBER
        )
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "confirmed"
    assert db.session.scalar(select(func.count(BatchAllocation.id))) == 0


def test_a_year_round_product_is_offered_its_batches_oldest_first(farm):
    rice = make_product(farm, name="Gạo ST25")
    older, newer = make_batch(farm, rice), make_batch(farm, rice)
    harvest(older, 300)
    harvest(newer, 2)
    order = _order(rice, today=NOVEMBER)

    assert allocation.choices_for(order, today=NOVEMBER)[order.lines[0].id] == [older, newer]


def _preorder_lychee(farm, ships_on: date, today: date):
    """Lychee out of season today, taking pre-orders that ship on `ships_on`."""
    start, end = ships_on - timedelta(days=10), ships_on + timedelta(days=40)
    lychee = make_product(
        farm,
        name="Vải thiều đặt trước",
        season_start=month_day_text(month_day(start)),
        season_end=month_day_text(month_day(end)),
        preorder_enabled=True,
        preorder_ships_on=ships_on,
        preorder_capacity="100",
    )
    order = _order(lychee, today=today)
    assert order.lines[0].ships_on == ships_on
    order_services.pack_order(order, _owner(farm))
    db.session.commit()
    return order


def test_shipping_a_preorder_before_its_date_is_refused_without_confirmation(farm):
    ships_on = local_today() + timedelta(days=150)
    order = _preorder_lychee(farm, ships_on, local_today())
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        order_services.ship_order(order, _owner(farm), carrier="ghn", tracking_number="")

    assert ships_on.strftime("%d/%m/%Y") in str(refused.value.message)
    assert database_snapshot() == before  # still packed, no carrier, no event


def test_shipping_a_preorder_early_over_http_needs_the_box_ticked_and_tells_the_buyer(
    app, farm, client
):
    ships_on = local_today() + timedelta(days=150)
    order = _preorder_lychee(farm, ships_on, local_today())
    db.session.commit()
    log_in(client, _owner(farm).phone)
    url = f"/dashboard/orders/{order.id}/ship?tab=to_ship"
    page = client.get(f"/dashboard/farms/{farm.id}/orders?tab=to_ship").get_data(as_text=True)
    assert 'name="ship_early"' in page

    refused = client.post_form(
        url, {"carrier": "ghn", "tracking_number": ""}, follow_redirects=True
    )
    assert ships_on.strftime("%d/%m/%Y") in page_text(refused)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "packed"
    app.extensions["mail_outbox"] = []

    shipped = client.post_form(url, {"carrier": "ghn", "tracking_number": "", "ship_early": "y"})

    assert shipped.status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "shipped"
    early = db.session.scalars(select(OrderEvent).where(OrderEvent.kind == "shipped_early")).all()
    assert [e.order_id for e in early] == [order.id]
    (mail,) = app.extensions["mail_outbox"]
    body = mail.get_content()
    assert "sớm" in body and ships_on.strftime("%d/%m/%Y") in body
    buyer_page = page_text(client.get(f"/orders/c/{order.checkout.access_token}"))
    assert "Giao sớm" in buyer_page
    # Beside "in transit", the line no longer reads "ships from <a later date>".
    assert "giao từ" not in buyer_page.lower()


def test_a_preorder_on_or_after_its_date_ships_without_confirmation(farm):
    today = local_today()
    order = _preorder_lychee(farm, today + timedelta(days=150), today)

    order_services.ship_order(
        order, _owner(farm), carrier="ghn", tracking_number="", today=today + timedelta(days=150)
    )

    assert order.status == "shipped"
