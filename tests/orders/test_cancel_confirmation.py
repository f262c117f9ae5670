"""Cancelling an order is never one tap: the buyer and the farm tick a confirmation first
(issue 10, money and food safety 7)."""

from __future__ import annotations

import pytest

from app.clock import local_today
from app.extensions import db
from orders import services
from orders.models import Order
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


@pytest.fixture
def placed(app):
    farm = deliver_everywhere(make_farm(name="Vườn bưởi"))
    variant = make_product(farm, name="Bưởi Diễn").variants[0]
    checkout = services.place_order(
        {variant.id: 2},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={variant.id: variant.price_vnd},
        today=local_today(),
    )
    db.session.commit()
    return checkout, checkout.orders[0], variant.id


def test_the_buyers_cancel_button_comes_with_a_confirmation(client, placed):
    checkout, _order, _ = placed

    page = client.get(f"/orders/c/{checkout.access_token}").get_data(as_text=True)

    assert 'name="confirm"' in page


def test_a_buyer_cancel_without_confirmation_is_refused_and_changes_nothing(client, placed):
    checkout, order, _ = placed
    before = database_snapshot()

    response = client.post_form(
        f"/orders/c/{checkout.access_token}/cancel/{order.id}", follow_redirects=True
    )

    assert "Đánh dấu ô" in page_text(response)
    assert database_snapshot() == before  # still confirmed, the stock still taken, no event


def test_a_confirmed_buyer_cancel_goes_through(client, placed):
    checkout, order, _ = placed

    client.post_form(f"/orders/c/{checkout.access_token}/cancel/{order.id}", {"confirm": "y"})

    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"


def test_a_farm_cancel_without_confirmation_is_refused_and_changes_nothing(client, placed):
    _checkout, order, _ = placed
    log_in(client, order.farm.members[0].user.phone)
    page = client.get(f"/dashboard/farms/{order.farm_id}/orders").get_data(as_text=True)
    assert 'name="confirm"' in page
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/orders/{order.id}/cancel", {"reason": "Hết hàng"}, follow_redirects=True
    )

    assert "Đánh dấu ô" in page_text(response)
    assert database_snapshot() == before
    client.post_form(f"/dashboard/orders/{order.id}/cancel", {"reason": "Hết hàng", "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
