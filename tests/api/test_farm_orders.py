"""A farm's orders over /api/v1: the list (new orders first of all), one order with its
timeline, and its state changes through the same services as the farm's order page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from app.auth.roles import Role
from app.extensions import db
from orders.models import Order
from products.models import Variant
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.support.queries import count_queries
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import harvest, make_batch
from traceability.models import BatchAllocation

BUYER_MAIL = "anh@example.vn"


@dataclass
class Shop:
    farmer: object
    farm: object
    variant: Variant

    def order(self, payment_method: str = "cod", quantity: int = 2) -> Order:
        order = make_order(self.variant, quantity, payment_method=payment_method)
        db.session.commit()
        return order

    def url(self, path: str = "") -> str:
        return f"/api/v1/farms/{self.farm.id}/orders{path}"


def _shop(name: str) -> Shop:
    farmer = make_user(Role.FARMER)
    farm = deliver_everywhere(make_farm(farmer, name=name))
    product = make_product(farm, name="Cam sành", prices=(60000,))
    variant = product.variants[0]
    variant.stock = 20
    db.session.commit()
    return Shop(farmer, farm, variant)


@pytest.fixture
def shop(app):
    return _shop("Vườn cam Hà Giang")


@pytest.fixture
def other_shop(app):
    return _shop("Vườn bưởi Diễn")


def _put_in(order: Order, status: str, payment_status: str | None = None) -> None:
    """The order's state as earlier steps would have left it."""
    values = {"status": status}
    if payment_status:
        values["payment_status"] = payment_status
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(order)


def _status(order: Order) -> str:
    return db.session.scalar(select(Order.status).where(Order.id == order.id))


# Reading -----------------------------------------------------------------------------------


def test_new_orders_are_the_ones_to_confirm_or_pack_newest_first(client, shop):
    # Given a transfer waiting for its money, a cash order confirmed, and one already packed
    waiting = shop.order("bank_transfer")
    confirmed = shop.order("cod")
    _put_in(shop.order("cod"), "packed")
    secret = make_token(shop.farmer, {"orders:read"})

    # When the farm lists its new orders
    response = client.get(shop.url("?status=new"), headers=bearer(secret))

    # Then it gets those two, newest first, with money in integer đồng
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["number"] for item in items] == [confirmed.number, waiting.number]
    assert items[0]["total_vnd"] == 2 * 60000 + 30000
    assert items[0]["status"] == "confirmed" and items[1]["payment_status"] == "unpaid"
    assert response.get_json()["next_cursor"] is None


def test_the_list_pages_by_cursor(client, shop):
    numbers = [shop.order().number for _ in range(3)]
    secret = make_token(shop.farmer, {"orders:read"})

    first = client.get(shop.url("?limit=2"), headers=bearer(secret))
    cursor = first.get_json()["next_cursor"]
    second = client.get(shop.url(f"?limit=2&cursor={cursor}"), headers=bearer(secret))

    assert [i["number"] for i in first.get_json()["items"]] == numbers[::-1][:2]
    assert 'rel="next"' in first.headers["Link"]
    assert [i["number"] for i in second.get_json()["items"]] == numbers[:1]
    assert second.get_json()["next_cursor"] is None


def test_an_unknown_status_is_a_422_problem(client, shop):
    secret = make_token(shop.farmer, {"orders:read"})

    response = client.get(shop.url("?status=lost"), headers=bearer(secret))

    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_one_order_has_its_items_address_payment_and_timeline(client, shop):
    order = shop.order("bank_transfer", quantity=3)
    secret = make_token(shop.farmer, {"orders:read"})

    response = client.get(shop.url(f"/{order.id}"), headers=bearer(secret))

    assert response.status_code == 200
    body = response.get_json()
    assert body["lines"][0]["product_name"] == "Cam sành"
    assert body["lines"][0]["quantity"] == 3
    assert body["lines"][0]["line_total_vnd"] == 180000
    assert (body["subtotal_vnd"], body["delivery_fee_vnd"], body["total_vnd"]) == (
        180000,
        30000,
        210000,
    )
    assert body["delivery"]["name"] == "Lê Minh Anh"
    assert body["delivery"]["address"] == order.checkout.address_line
    assert "12 Hàng Bạc" in body["delivery"]["address"]
    assert (body["status"], body["payment_status"]) == ("awaiting_payment", "unpaid")
    assert body["next_states"] == ["cancelled", "confirmed"]
    assert [(e["kind"], e["to_state"], e["note"]) for e in body["timeline"]] == [
        ("status", "awaiting_payment", "placed")
    ]
    assert body["created_at"].endswith("Z")


def test_another_farms_order_is_not_found_under_this_farm(client, shop, other_shop):
    theirs = other_shop.order()
    secret = make_token(shop.farmer, {"orders:read"})

    response = client.get(shop.url(f"/{theirs.id}"), headers=bearer(secret))

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


# Transitions -------------------------------------------------------------------------------

#: (payment method, state it is put in, request, expected status, state afterwards)
TRANSITIONS = [
    ("bank_transfer", "awaiting_payment", {"to": "confirmed"}, 200, "confirmed"),
    ("cod", "confirmed", {"to": "packed"}, 200, "packed"),
    (
        "cod",
        "packed",
        {"to": "shipped", "carrier": "ghn", "tracking_number": "GHN123"},
        200,
        "shipped",
    ),
    ("cod", "shipped", {"to": "delivered"}, 200, "delivered"),
    ("cod", "confirmed", {"to": "cancelled", "reason": "Hết hàng"}, 200, "cancelled"),
    # Refused by the state table: 409
    ("cod", "confirmed", {"to": "shipped", "carrier": "ghn"}, 409, "confirmed"),
    ("cod", "confirmed", {"to": "delivered"}, 409, "confirmed"),
    ("cod", "shipped", {"to": "cancelled", "reason": "Muộn"}, 409, "shipped"),
    ("cod", "confirmed", {"to": "awaiting_payment"}, 409, "confirmed"),
    # No person completes an order: the farm has no such step
    ("cod", "delivered", {"to": "completed"}, 409, "delivered"),
    # Allowed by the table, refused by the step: only a transfer is confirmed by the farm
    ("stripe", "awaiting_payment", {"to": "confirmed"}, 409, "awaiting_payment"),
    # Refunding an unpaid order
    ("cod", "delivered", {"to": "refunded", "reason": "Hỏng"}, 409, "delivered"),
    # A field is wrong: 422
    ("cod", "confirmed", {"to": "cancelled"}, 422, "confirmed"),
    ("cod", "packed", {"to": "shipped"}, 422, "packed"),
    ("cod", "packed", {"to": "shipped", "carrier": "pigeon"}, 422, "packed"),
]


@pytest.mark.parametrize(("method", "start", "request_body", "status", "after"), TRANSITIONS)
def test_the_transition_table_through_the_api(
    client, shop, method, start, request_body, status, after
):
    # Given an order in `start`
    order = shop.order(method)
    if order.status != start:
        _put_in(order, start)
    secret = make_token(shop.farmer, {"orders:read", "orders:write"})
    before = database_snapshot()

    # When the farm asks for the transition
    response = client.post(
        shop.url(f"/{order.id}/transitions"), json=request_body, headers=bearer(secret)
    )

    # Then it is done (with its history) or refused with nothing changed
    assert response.status_code == status, response.get_json()
    assert _status(order) == after
    if status == 200:
        assert response.get_json()["status"] == after
        assert response.get_json()["timeline"][-1]["to_state"] == after
    else:
        assert response.content_type == "application/problem+json"
        assert database_snapshot() == before


def test_a_422_names_the_field(client, shop):
    order = shop.order()
    secret = make_token(shop.farmer, {"orders:write"})

    response = client.post(
        shop.url(f"/{order.id}/transitions"), json={"to": "cancelled"}, headers=bearer(secret)
    )

    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]


def test_shipping_mails_the_buyer_and_keeps_the_tracking_number(client, shop, outbox):
    order = shop.order()
    _put_in(order, "packed")
    outbox.clear()
    secret = make_token(shop.farmer, {"orders:write"})

    response = client.post(
        shop.url(f"/{order.id}/transitions"),
        json={"to": "shipped", "carrier": "ghtk", "tracking_number": "S1234.BO.MN4"},
        headers=bearer(secret),
    )

    assert response.status_code == 200
    assert response.get_json()["tracking_number"] == "S1234.BO.MN4"
    assert response.get_json()["carrier_code"] == "ghtk"
    assert [m["To"] for m in outbox] == [BUYER_MAIL]


def test_cancelling_gives_the_stock_back(client, shop):
    order = shop.order(quantity=5)
    secret = make_token(shop.farmer, {"orders:write"})

    response = client.post(
        shop.url(f"/{order.id}/transitions"),
        json={"to": "cancelled", "reason": "Mưa đá làm hỏng cam"},
        headers=bearer(secret),
    )

    assert response.status_code == 200
    assert response.get_json()["cancel_reason"] == "Mưa đá làm hỏng cam"
    assert db.session.scalar(select(Variant.stock).where(Variant.id == shop.variant.id)) == 20


# Scopes and reach --------------------------------------------------------------------------


def test_orders_read_cannot_move_an_order(client, shop):
    order = shop.order()
    secret = make_token(shop.farmer, {"orders:read"})
    before = database_snapshot()

    response = client.post(
        shop.url(f"/{order.id}/transitions"), json={"to": "packed"}, headers=bearer(secret)
    )

    assert response.status_code == 403
    assert database_snapshot() == before


def test_a_token_without_orders_read_cannot_list(client, shop):
    secret = make_token(shop.farmer, {"batches:read"})

    assert client.get(shop.url(), headers=bearer(secret)).status_code == 403


def test_a_personal_token_cannot_reach_another_farms_orders(client, shop, other_shop):
    theirs = other_shop.order()
    secret = make_token(shop.farmer, {"orders:read", "orders:write"})
    before = database_snapshot()

    listed = client.get(other_shop.url(), headers=bearer(secret))
    read = client.get(other_shop.url(f"/{theirs.id}"), headers=bearer(secret))
    moved = client.post(
        other_shop.url(f"/{theirs.id}/transitions"), json={"to": "packed"}, headers=bearer(secret)
    )

    assert (listed.status_code, read.status_code, moved.status_code) == (403, 403, 403)
    assert database_snapshot() == before


def test_a_farm_key_cannot_reach_another_farm_of_the_same_owner(client, shop):
    # Given a farmer with two farms and a key for the first
    second = deliver_everywhere(make_farm(shop.farmer, name="Vườn thứ hai"))
    product = make_product(second, name="Bưởi", prices=(50000,))
    product.variants[0].stock = 5
    theirs = make_order(product.variants[0], 1)
    db.session.commit()
    secret = make_token(shop.farmer, farm=shop.farm)
    before = database_snapshot()

    # When the key asks for the second farm's orders, or moves one
    listed = client.get(f"/api/v1/farms/{second.id}/orders", headers=bearer(secret))
    moved = client.post(
        f"/api/v1/farms/{second.id}/orders/{theirs.id}/transitions",
        json={"to": "packed"},
        headers=bearer(secret),
    )

    # Then both are refused and nothing changed; its own farm is reachable
    assert (listed.status_code, moved.status_code) == (403, 403)
    assert database_snapshot() == before
    assert client.get(shop.url(), headers=bearer(secret)).status_code == 200


def test_a_refused_transition_speaks_the_callers_language(client, shop):
    order = shop.order()
    secret = make_token(shop.farmer, {"orders:write"})

    response = client.post(
        shop.url(f"/{order.id}/transitions"), json={"to": "delivered"}, headers=bearer(secret, "vi")
    )

    assert response.status_code == 409
    assert (
        response.get_json()["detail"] == "Đơn này không thể chuyển từ “Đã xác nhận” sang “Đã giao”."
    )


def test_the_list_runs_as_many_statements_for_many_orders_as_for_one(client, shop):
    shop.order()
    headers = bearer(make_token(shop.farmer, {"orders:read"}))
    assert client.get(shop.url(), headers=headers).status_code == 200
    db.session.commit()  # as after the rows added below: the session's objects expire
    with count_queries() as few:
        client.get(shop.url(), headers=headers)
    for _ in range(3):
        shop.order("bank_transfer")

    with count_queries() as many:
        response = client.get(shop.url(), headers=headers)

    assert len(response.get_json()["items"]) == 4
    assert len(many) == len(few)


def test_packing_can_name_the_batch_each_line_came_from(client, shop):
    # Given a confirmed order of 2 and a harvested batch of its product
    batch = make_batch(shop.farm, shop.variant.product, code="CS2606-A")
    harvest(batch, 1)
    order = shop.order(quantity=2)
    secret = make_token(shop.farmer, {"orders:write"})

    # When the farm packs it from that batch
    response = client.post(
        shop.url(f"/{order.id}/transitions"),
        json={
            "to": "packed",
            "batches": [{"line_id": order.lines[0].id, "batch_id": batch.id, "quantity": 2}],
        },
        headers=bearer(secret),
    )

    # Then the order is packed and the line knows its batch
    assert response.status_code == 200
    allocations = db.session.scalars(select(BatchAllocation)).all()
    assert [(a.order_line_id, a.batch_id, a.quantity) for a in allocations] == [
        (order.lines[0].id, batch.id, 2)
    ]


def test_packing_with_a_line_of_another_order_is_refused(client, shop):
    order = shop.order()
    secret = make_token(shop.farmer, {"orders:write"})
    before = database_snapshot()

    response = client.post(
        shop.url(f"/{order.id}/transitions"),
        json={"to": "packed", "batches": [{"line_id": 999999, "batch_id": 1, "quantity": 1}]},
        headers=bearer(secret),
    )

    assert response.status_code == 422
    assert "batches" in response.get_json()["errors"]
    assert database_snapshot() == before
