""" "Buy again": a past order's lines go back into the cart, as far as they are on sale and in
stock, for the buyer whose order it is (or the guest holding its link) and nobody else."""

from __future__ import annotations

import pytest

from app.errors import PermissionDenied
from app.extensions import db
from orders import cart as carts
from orders.buy_again import buy_again
from orders.models import CartItem
from products import services as product_services
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_checkout
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot, table_snapshot
from tests.support.web import page_text


@pytest.fixture
def shop(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    lychee = make_product(farm, name="Vải thiều").variants[0]
    tea = make_product(farm, name="Chè Tân Cương").variants[0]
    buyer = make_user(identifier="0912000555")
    checkout = make_checkout([lychee, tea], 3, buyer=buyer)
    db.session.commit()
    return checkout.orders[0], lychee, tea, buyer


def _owner(variant):
    return variant.product.farm.members[0].user


def test_the_buyer_gets_the_same_variants_and_quantities_back(shop):
    order, lychee, tea, buyer = shop
    refill = buy_again(order, {}, buyer)
    assert carts.read_cart({}, buyer) == {lychee.id: 3, tea.id: 3}
    assert refill.left_out == [] and refill.capped == [] and len(refill.added) == 2


def test_what_is_already_in_the_cart_is_added_to(shop):
    order, lychee, _, buyer = shop
    carts.set_quantity({}, buyer, lychee.id, 2)
    buy_again(order, {}, buyer)
    assert carts.read_cart({}, buyer)[lychee.id] == 5


def test_a_line_is_capped_at_the_stock_left(shop):
    order, lychee, tea, buyer = shop
    product_services.set_stock_and_price(lychee, _owner(lychee), stock="2", price_vnd="180000")
    refill = buy_again(order, {}, buyer)
    assert carts.read_cart({}, buyer) == {lychee.id: 2, tea.id: 3}
    assert [name.split(" (")[0] for name in refill.capped] == ["Vải thiều"]


def test_a_product_no_longer_on_sale_or_sold_out_is_named_and_left_out(shop):
    order, lychee, tea, buyer = shop
    product_services.hide_product(tea.product, _owner(tea))
    product_services.set_stock_and_price(lychee, _owner(lychee), stock="0", price_vnd="180000")
    refill = buy_again(order, {}, buyer)
    assert carts.read_cart({}, buyer) == {}
    assert [name.split(" (")[0] for name in refill.left_out] == ["Vải thiều", "Chè Tân Cương"]


def test_a_guest_with_the_orders_link_refills_the_session_cart(app):
    farm = deliver_everywhere(make_farm())
    lychee = make_product(farm).variants[0]
    checkout = make_checkout([lychee], 2)
    session: dict = {}
    buy_again(checkout.orders[0], session, None, access_token=checkout.access_token)
    assert carts.read_cart(session, None) == {lychee.id: 2}


@pytest.mark.parametrize("token", [None, "wrong-token", "đ"])
def test_someone_elses_order_is_refused_and_no_cart_changes(shop, token):
    order, *_ = shop
    stranger = make_user()
    before = table_snapshot(CartItem)
    session: dict = {}
    with pytest.raises(PermissionDenied):
        buy_again(order, session, stranger, access_token=token)
    assert table_snapshot(CartItem) == before and session == {}


def test_buy_again_from_my_orders_opens_the_cart_with_a_message(client, shop):
    order, lychee, tea, _ = shop
    product_services.hide_product(tea.product, _owner(tea))
    db.session.commit()
    log_in(client, "0912000555")
    assert f"/orders/{order.id}/buy-again" in client.get("/orders").get_data(as_text=True)

    response = client.post_form(f"/orders/{order.id}/buy-again")

    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")
    cart_page = page_text(client.get("/cart"))
    assert "Đã thêm vào giỏ: Vải thiều" in cart_page
    assert "Không thêm được vì đã ngừng bán hoặc hết hàng: Chè Tân Cương" in cart_page


def test_buy_again_from_the_order_page_works_for_a_guest(app, client):
    farm = deliver_everywhere(make_farm())
    lychee = make_product(farm).variants[0]
    checkout = make_checkout([lychee], 2)
    db.session.commit()
    page_url = f"/orders/c/{checkout.access_token}"
    action = f"{page_url}/buy-again/{checkout.orders[0].id}"
    assert action in client.get(page_url).get_data(as_text=True)

    response = client.post_form(action)

    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session[carts.SESSION_KEY] == {str(lychee.id): 2}


def test_another_buyers_order_is_refused_over_http_and_nothing_changes(client, shop):
    order, *_ = shop
    make_user(identifier="0912000666")
    db.session.commit()
    log_in(client, "0912000666")
    before = database_snapshot()
    assert client.post_form(f"/orders/{order.id}/buy-again").status_code == 403
    forged = client.post_form(f"/orders/c/not-the-token/buy-again/{order.id}")
    assert forged.status_code == 403
    assert database_snapshot() == before


def test_buy_again_without_the_form_token_is_refused(client, shop):
    order, *_ = shop
    log_in(client, "0912000555")
    before = database_snapshot()
    assert client.post(f"/orders/{order.id}/buy-again").status_code == 400
    assert database_snapshot() == before


def test_a_visitor_must_log_in_to_buy_again_from_a_list(client, shop):
    order, *_ = shop
    response = client.post_form(f"/orders/{order.id}/buy-again")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
