"""The farm's order list says "paid" only with the time it was paid (from the order's
payment history, shown in Vietnam's time), and nothing about payment for unpaid orders."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from app.extensions import db
from orders import services
from orders.models import OrderEvent
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, place_one
from tests.products.factories import make_product
from tests.support.queries import count_queries
from tests.support.web import page_text

PAID_AT = datetime(2026, 6, 25, 3, 5, tzinfo=UTC)  # 10:05 in Hà Nội


@pytest.fixture
def farm(app, client):
    farm = deliver_everywhere(make_farm())
    log_in(client, farm.members[0].user.phone)
    return farm


def _orders(farm, count: int, *, paid: bool):
    variant = make_product(farm, prices=(120000,)).variants[0]
    farmer = farm.members[0].user
    orders = []
    for _ in range(count):
        order = place_one(variant, quantity=1).orders[0]
        if paid:
            services.confirm_transfer(order, farmer)
            db.session.execute(
                update(OrderEvent)
                .where(OrderEvent.order_id == order.id, OrderEvent.to_state == "paid")
                .values(created_at=PAID_AT)
            )
        orders.append(order)
    db.session.commit()
    return orders


def _cell(client, farm, order, language="vi") -> str:
    client.post_form("/language", {"lang": language})
    page = client.get(f"/dashboard/farms/{farm.id}/orders?tab=all").get_data(as_text=True)
    article = page.split(f'data-testid="farm-order-{order.number}"')[1].split("</article>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", article).split())


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "paid at 10:05 25/06/2026"), ("vi", "đã thanh toán lúc 10:05 25/06/2026")],
)
def test_a_paid_order_says_when_it_was_paid(client, farm, language, said):
    (order,) = _orders(farm, 1, paid=True)
    assert said in _cell(client, farm, order, language)


def test_an_unpaid_order_says_nothing_of_payment(client, farm):
    (order,) = _orders(farm, 1, paid=False)
    cell = _cell(client, farm, order, "en")
    assert "paid" not in cell.replace("Unpaid", "").replace("unpaid", "")


def test_paid_times_cost_one_statement_for_the_whole_page(client, farm):
    url = f"/dashboard/farms/{farm.id}/orders?tab=all"
    _orders(farm, 2, paid=True)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    _orders(farm, 5, paid=True)
    with count_queries() as many:
        response = client.get(url)
    assert page_text(response).count("đã thanh toán lúc") == 7
    assert len(many) == len(few)
