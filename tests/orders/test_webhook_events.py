"""Orders publish order.placed, order.paid, order.cancelled and order.shipped: once per farm
order, to that farm's endpoints and to the operators' whose scope holds the farm, after the
commit; the payload carries no personal data of the buyer."""
# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

import pytest

from app.auth.roles import Role
from app.errors import DomainError
from app.extensions import db
from orders import services
from tests.app.factories import make_user
from tests.app.webhook_helpers import (  # noqa: F401  (fixtures)
    allow_local,
    deliveries,
    farm_endpoint,
    listener,
    operator_endpoint,
    verify,
)
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_checkout, place_one
from tests.products.factories import make_product

BUYER_NAME = "Nguyễn Thị Lan"
BUYER_PHONE = "0912000555"


@pytest.fixture
def shop(app, listener):
    """Two farms of province 31; the first has an endpoint on the listener."""
    farm = deliver_everywhere(make_farm(name="Vườn vải", province_code="31"))
    other = deliver_everywhere(make_farm(name="Vườn nhãn", province_code="31"))
    farmer = farm.members[0].user
    _, secret = farm_endpoint(farm, farmer, listener.url)
    db.session.commit()
    lychee = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    longan = make_product(other, name="Nhãn lồng", prices=(90000,)).variants[0]
    buyer = make_user(identifier=BUYER_PHONE, full_name=BUYER_NAME)
    return farm, farmer, lychee, longan, buyer, secret


def _events(listener):
    return [(r.headers["nongsan-event"], r.json()["data"]["order"]) for r in listener.requests]


def test_a_placed_checkout_announces_each_farms_order_to_that_farm_only(shop, listener):
    farm, _, lychee, longan, buyer, secret = shop

    checkout = make_checkout([lychee, longan], 2, buyer=buyer, payment_method="bank_transfer")
    assert listener.requests == []
    db.session.commit()

    [(kind, order)] = _events(listener)
    mine = next(o for o in checkout.orders if o.farm_id == farm.id)
    assert kind == "order.placed"
    assert order["id"] == mine.id and order["number"] == mine.number
    assert (order["status"], order["payment_status"]) == ("awaiting_payment", "unpaid")
    assert order["total_vnd"] == mine.total_vnd == 360000 + mine.delivery_fee_vnd
    assert order["placed_at"].endswith("Z")
    assert order["lines"][0]["quantity"] == 2
    request = listener.requests[0]
    assert verify(secret, request.headers["nongsan-signature"], request.body)
    body = request.body.decode()
    for personal in (BUYER_NAME, BUYER_PHONE, "+84912000555", checkout.contact_phone):
        assert personal not in body


def test_payment_shipping_and_cancelling_are_announced_once_each(shop, listener):
    _, farmer, lychee, _, buyer, _ = shop
    paid = place_one(lychee, buyer=buyer).orders[0]
    cancelled = place_one(lychee, buyer=buyer).orders[0]
    db.session.commit()
    listener.requests.clear()

    services.confirm_transfer(paid, farmer)
    services.pack_order(paid, farmer)
    services.ship_order(paid, farmer, carrier="ghtk", tracking_number="S123456")
    services.cancel_by_farm(cancelled, farmer, "Hết hàng")
    db.session.commit()

    assert [(kind, order["id"]) for kind, order in _events(listener)] == [
        ("order.paid", paid.id),
        ("order.shipped", paid.id),
        ("order.cancelled", cancelled.id),
    ]
    shipped = _events(listener)[1][1]
    assert (shipped["status"], shipped["tracking_number"]) == ("shipped", "S123456")
    assert shipped["carrier_code"] == "ghtk"
    assert _events(listener)[2][1]["status"] == "cancelled"


def test_a_refused_move_announces_nothing(shop, listener):
    _, farmer, lychee, _, buyer, _ = shop
    order = place_one(lychee, buyer=buyer).orders[0]
    db.session.commit()
    listener.requests.clear()

    with pytest.raises(DomainError):
        services.ship_order(order, farmer, carrier="ghtk", tracking_number="S1")
    db.session.rollback()
    db.session.commit()

    assert listener.requests == []


def test_operators_endpoints_receive_the_orders_of_their_scope(shop, listener):
    _, _, lychee, _, buyer, _ = shop
    country = make_user(Role.OPERATOR)
    province = make_user(Role.OPERATOR, operator_province_code="31")
    elsewhere = make_user(Role.OPERATOR, operator_province_code="01")
    for operator in (country, province, elsewhere):
        operator_endpoint(operator, listener.url + f"?operator={operator.id}", ["order.placed"])
    db.session.commit()

    place_one(lychee, buyer=buyer)
    db.session.commit()

    reached = sorted(r.path for r in listener.requests)
    assert reached == sorted(["/", f"/?operator={country.id}", f"/?operator={province.id}"])
    assert len({d.event_id for d in deliveries()}) == 1
