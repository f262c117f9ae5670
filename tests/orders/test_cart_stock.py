"""Stock is checked when a buyer adds to the cart, on the cart page and on review, and the
buyer reads how many are left ("Chỉ còn 292 quả"), not "added to your cart"."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from orders.models import CartItem
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

ADDRESS = {
    "name": "Lê Minh Anh",
    "phone": "0987 654 321",
    "email": "",
    "province_code": "01",
    "commune": "00070",  # Phường Hoàn Kiếm
    "street": "12 Hàng Bạc",
    "payment_method": "cod",
}


@pytest.fixture
def pomelo(app):
    """Pomelos sold by the piece, 292 left."""
    product = make_product(deliver_everywhere(make_farm()), name="Bưởi Diễn")
    variant = product.variants[0]
    variant.unit, variant.pack_kg, variant.stock = "piece", None, 292
    db.session.commit()
    return variant


def _add(client, variant, quantity):
    return client.post_form(
        "/cart/add", {"variant_id": variant.id, "quantity": str(quantity)}, follow_redirects=True
    )


def _cart_lines(client) -> str:
    return client.get("/cart").get_data(as_text=True)


def test_adding_more_than_is_left_says_how_many_remain_and_changes_nothing(client, pomelo):
    # When a guest asks for 500 pomelos with 292 left
    response = _add(client, pomelo, 500)

    # Then the answer says how many remain, and the cart stays empty
    text = page_text(response)
    assert "Chỉ còn 292 quả" in text
    assert "Đã thêm vào giỏ hàng" not in text
    assert 'data-testid="cart-farm"' not in _cart_lines(client)


def test_what_is_already_in_the_cart_counts_against_what_is_left(client, pomelo):
    # Given 200 pomelos in the cart
    assert _add(client, pomelo, 200).status_code == 200

    # When the guest adds 100 more (300 > 292)
    text = page_text(_add(client, pomelo, 100))

    # Then it is refused with what remains, and the cart still holds 200
    assert "Chỉ còn 292 quả" in text
    assert 'value="200"' in _cart_lines(client)


def test_a_signed_in_buyers_refused_add_leaves_the_saved_cart_as_it_was(app, client, pomelo):
    make_user(identifier="0912000777")
    log_in(client, "0912000777")
    _add(client, pomelo, 10)
    before = db.session.execute(select(CartItem.variant_id, CartItem.quantity)).all()

    text = page_text(_add(client, pomelo, 283))

    assert "Chỉ còn 292 quả" in text
    assert db.session.execute(select(CartItem.variant_id, CartItem.quantity)).all() == before


def test_a_sold_out_variant_cannot_be_added(client, pomelo):
    pomelo.stock = 0
    db.session.commit()

    text = page_text(_add(client, pomelo, 1))

    assert "Hết hàng" in text
    assert 'data-testid="cart-farm"' not in _cart_lines(client)


def test_the_cart_page_says_how_many_remain_when_the_stock_fell(client, pomelo):
    # Given 50 pomelos in the cart, then other buyers take all but 12
    _add(client, pomelo, 50)
    pomelo.stock = 12
    db.session.commit()

    # When the buyer opens the cart
    page = client.get("/cart?province=01")

    # Then it says how many are left and offers no checkout
    assert "Chỉ còn 12 quả" in page_text(page)
    assert "/checkout" not in page.get_data(as_text=True).split('class="card grand-total"')[1]


def test_the_review_refuses_a_quantity_above_the_stock_and_says_what_remains(client, pomelo):
    _add(client, pomelo, 50)
    pomelo.stock = 12
    db.session.commit()
    before = database_snapshot()

    response = client.post_form("/checkout", {**ADDRESS, "step": "review"})

    assert response.status_code == 422
    assert "Chỉ còn 12 quả" in page_text(response)
    assert 'name="price-' not in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_lowering_the_quantity_to_what_is_left_is_accepted(client, pomelo):
    _add(client, pomelo, 50)
    pomelo.stock = 12
    db.session.commit()

    client.post_form("/cart/update", {f"qty-{pomelo.id}": "12"})

    assert 'value="12"' in _cart_lines(client)
    assert "Chỉ còn" not in page_text(client.get("/cart?province=01"))


@pytest.mark.parametrize("refused", ["first", "second"])
def test_a_refused_cart_update_leaves_every_line_as_it_was(client, refused):
    # Given a cart with two lines, one of which has 292 left (whichever the cart reads first)
    farm = deliver_everywhere(make_farm())
    first, second = (make_product(farm).variants[0] for _ in range(2))
    short, plenty = (first, second) if refused == "first" else (second, first)
    short.unit, short.pack_kg, short.stock = "piece", None, 292
    plenty.stock = 1000
    db.session.commit()
    _add(client, first, 2)
    _add(client, second, 3)

    # When the buyer asks for 300 of each
    response = client.post_form(
        "/cart/update", {f"qty-{first.id}": "300", f"qty-{second.id}": "300"}, follow_redirects=True
    )

    # Then it is refused with what remains, and neither line changed
    assert "Chỉ còn 292 quả" in page_text(response)
    page = _cart_lines(client)
    assert re.search(rf'name="qty-{first.id}"[^>]*value="2"', page)
    assert re.search(rf'name="qty-{second.id}"[^>]*value="3"', page)


def test_removing_a_line_works_while_another_is_above_the_stock(client, pomelo):
    lychee = make_product(deliver_everywhere(make_farm()), name="Vải thiều").variants[0]
    db.session.commit()
    _add(client, lychee, 2)
    _add(client, pomelo, 50)
    pomelo.stock = 12
    db.session.commit()

    client.post_form(
        "/cart/update",
        {f"remove-{lychee.id}": "1", f"qty-{lychee.id}": "2", f"qty-{pomelo.id}": "50"},
    )

    page = _cart_lines(client)
    assert f'name="qty-{lychee.id}"' not in page and 'value="50"' in page
