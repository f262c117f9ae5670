"""Weighed goods over /api/v1: a farm packs a pomelo order by sending its actual weights,
and the order and its lines carry the estimate and the weights packed."""

from __future__ import annotations

from app.extensions import db
from orders import services
from orders.models import Order
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.weighed_factories import make_pomelo, pomelo_order
from tests.support.snapshots import database_snapshot


def _transition(client, order, secret, body):
    return client.post(
        f"/api/v1/farms/{order.farm_id}/orders/{order.id}/transitions",
        json=body,
        headers=bearer(secret),
    )


def test_packing_over_the_api_needs_the_weights_and_records_them(app, client):
    order = pomelo_order(make_pomelo())
    farmer = order.farm.members[0].user
    secret = make_token(farmer, {"orders:read", "orders:write"})
    line_id = order.lines[0].id
    before = database_snapshot()

    refused = _transition(client, order, secret, {"to": "packed"})
    assert refused.status_code == 422, refused.get_json()
    assert database_snapshot() == before

    body = {"to": "packed", "weights": [{"line_id": line_id, "grams": 2300}]}
    response = _transition(client, order, secret, body)
    assert response.status_code == 200, response.get_json()
    packed = response.get_json()
    assert packed["status"] == "packed"
    assert packed["weight_adjustment_vnd"] == -4500 and packed["weight_absorbed_vnd"] == 0
    line = packed["lines"][0]
    assert (line["sold_by_weight"], line["price_per_kg_vnd"]) == (True, 45000)
    assert (line["estimated_grams"], line["actual_grams"]) == (2400, 2300)
    db.session.expire_all()
    assert db.session.get(Order, order.id).lines[0].actual_grams == 2300


def test_another_farms_key_cannot_weigh_the_order(app, client):
    order = pomelo_order(make_pomelo())
    stranger = make_farm(name="Vườn khác").members[0].user
    db.session.commit()
    secret = make_token(stranger, {"orders:read", "orders:write"})
    before = database_snapshot()
    body = {"to": "packed", "weights": [{"line_id": order.lines[0].id, "grams": 2400}]}
    assert _transition(client, order, secret, body).status_code in (403, 404)
    assert database_snapshot() == before


def test_the_variant_says_it_is_sold_by_weight(app, client):
    variant = make_pomelo()
    db.session.commit()
    farm = variant.product.farm
    secret = make_token(farm.members[0].user, {"products:read"})
    response = client.get(
        f"/api/v1/farms/{farm.id}/products/{variant.product_id}/variants/{variant.id}",
        headers=bearer(secret),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["sold_by_weight"] is True
    assert response.get_json()["price_per_kg_vnd"] == 45000


def test_the_buyer_reads_the_weights_and_the_final_total(app, client):
    buyer = make_user()
    order = pomelo_order(make_pomelo(), buyer=buyer)
    services.pack_order(order, order.farm.members[0].user, actual_grams={order.lines[0].id: "2500"})
    secret = make_token(buyer, {"purchases:read"})
    db.session.commit()
    body = client.get(f"/api/v1/me/orders/{order.id}", headers=bearer(secret)).get_json()
    assert (body["weight_adjustment_vnd"], body["final_total_vnd"]) == (
        4500,
        order.total_vnd + 4500,
    )
    line = body["lines"][0]
    assert (line["estimated_grams"], line["actual_grams"], line["final_total_vnd"]) == (
        2400,
        2500,
        112500,
    )
    assert body["timeline"][-1]["kind"] == "weights"
