"""A buyer's orders through the API (scope purchases:read): only the caller's own."""

from __future__ import annotations

import pytest

from app.auth.api_tokens import ApiToken
from app.auth.roles import Role
from app.extensions import db
from orders import services as order_services
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.orders.factories import deliver_everywhere, make_checkout
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries
from tests.support.snapshots import database_snapshot

SCOPE = {"purchases:read"}


@pytest.fixture
def lychee(app):
    product = make_product(name="Vải thiều Thanh Hà", prices=(180000,))
    deliver_everywhere(product.farm, fee_vnd=30000)
    return product.variants[0]


def _buy(variant, buyer, quantity=2, **kw):
    return make_checkout([variant], quantity, buyer=buyer, **kw).orders[0]


def _every_page(client, url, secret) -> list[dict]:
    items, cursor = [], None
    for _ in range(50):
        separator = "&" if "?" in url else "?"
        response = client.get(
            url + (f"{separator}cursor={cursor}" if cursor else ""), headers=bearer(secret)
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        items += response.get_json()["items"]
        cursor = response.get_json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ran out")


def test_a_buyer_lists_their_own_orders_newest_first(client, lychee):
    buyer, other = make_user(), make_user()
    first, second = _buy(lychee, buyer), _buy(lychee, buyer, quantity=1)
    _buy(lychee, other)
    secret = make_token(buyer, SCOPE)
    db.session.commit()

    items = _every_page(client, "/api/v1/me/orders", secret)

    assert [item["number"] for item in items] == [second.number, first.number]
    assert items[1]["total_vnd"] == 2 * 180000 + 30000
    assert items[1]["farm"]["name"] == lychee.product.farm.name
    assert items[1]["created_at"].endswith("Z")


def test_an_order_comes_with_lines_totals_states_and_timeline(client, lychee):
    buyer = make_user()
    order = _buy(lychee, buyer, payment_method="cod")
    order_services.cancel_by_buyer(order, buyer)
    secret = make_token(buyer, SCOPE)
    db.session.commit()

    response = client.get(f"/api/v1/me/orders/{order.id}", headers=bearer(secret))

    body = response.get_json()
    assert response.status_code == 200
    assert (body["subtotal_vnd"], body["delivery_fee_vnd"], body["total_vnd"]) == (
        360000,
        30000,
        390000,
    )
    assert body["lines"][0]["product_name"] == "Vải thiều Thanh Hà"
    assert (body["lines"][0]["quantity"], body["lines"][0]["unit_price_vnd"]) == (2, 180000)
    assert (body["status"], body["status_label"]) == ("cancelled", "Cancelled")
    assert body["payment_status"] == "unpaid"
    assert [(e["kind"], e["from_state"], e["to_state"]) for e in body["timeline"]] == [
        ("status", None, "confirmed"),
        ("status", "confirmed", "cancelled"),
    ]
    assert all(e["at"].endswith("Z") for e in body["timeline"])
    in_vietnamese = client.get(f"/api/v1/me/orders/{order.id}", headers=bearer(secret, "vi"))
    assert in_vietnamese.get_json()["status_label"] == "Đã hủy"


def test_another_buyers_order_is_404_and_tells_nothing(client, lychee):
    owner, snoop = make_user(), make_user()
    order = _buy(lychee, owner)
    secret = make_token(snoop, SCOPE)
    db.session.commit()
    # The lists read in between answer 200 and note the token's use: that row may change.
    before = database_snapshot(excluding=[ApiToken])

    theirs = client.get(f"/api/v1/me/orders/{order.id}", headers=bearer(secret))
    missing = client.get("/api/v1/me/orders/999999", headers=bearer(secret))

    assert theirs.status_code == missing.status_code == 404
    theirs_body, missing_body = theirs.get_json(), missing.get_json()
    del theirs_body["instance"], missing_body["instance"]  # the path asked for
    assert theirs_body == missing_body
    assert order.number not in theirs.get_data(as_text=True)
    assert _every_page(client, "/api/v1/me/orders", secret) == []
    assert database_snapshot(excluding=[ApiToken]) == before


def test_a_farm_key_or_a_token_without_the_scope_is_refused(client, lychee):
    farm = lychee.product.farm
    farmer = farm.members[0].user
    _buy(lychee, farmer)  # the farmer bought from their own farm: still not the key's to read
    farm_key = make_token(farmer, farm=farm)
    narrow = make_token(farmer, {"orders:read"})
    db.session.commit()
    before = database_snapshot()

    for secret in (farm_key, narrow):
        response = client.get("/api/v1/me/orders", headers=bearer(secret))
        assert response.status_code == 403
        assert response.content_type == "application/problem+json"
    assert client.get("/api/v1/me/orders").status_code == 401
    assert database_snapshot() == before


def test_orders_filter_by_state_and_pages_visit_each_once(client, lychee):
    buyer = make_user()
    orders = [_buy(lychee, buyer, quantity=1, payment_method="cod") for _ in range(5)]
    order_services.cancel_by_buyer(orders[0], buyer)
    secret = make_token(buyer, SCOPE)
    db.session.commit()

    seen = [item["id"] for item in _every_page(client, "/api/v1/me/orders?limit=2", secret)]
    cancelled = _every_page(client, "/api/v1/me/orders?status=cancelled", secret)

    assert seen == sorted((order.id for order in orders), reverse=True)
    assert [item["id"] for item in cancelled] == [orders[0].id]


def test_the_order_list_runs_a_fixed_number_of_queries(client, lychee):
    buyer = make_user(role=Role.BUYER)
    _buy(lychee, buyer)
    secret = make_token(buyer, SCOPE)
    db.session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def more():
        for _ in range(3):
            other = make_product()
            deliver_everywhere(other.farm)
            _buy(other.variants[0], buyer)

    response = assert_fixed_queries(client, "/api/v1/me/orders", more)
    assert len(response.get_json()["items"]) == 4
