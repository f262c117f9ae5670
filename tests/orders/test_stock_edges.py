"""Stock moves one variant's (or one product's) count by exactly what was asked, only when
that much is on hand, and an order's stock is released once."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from orders import stock
from orders.models import Order
from products.models import Product, Variant
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.test_bank_notifications import _place
from tests.products.factories import make_product


def _two_variants(app):
    product = make_product(deliver_everywhere(make_farm()), prices=(60000, 90000))
    first, second = product.variants
    first.stock, second.stock = 5, 7
    db.session.flush()
    return first.id, second.id


def _stock(variant_id: int) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant_id))


def test_taking_exactly_what_is_left_empties_the_shelf(app):
    first, second = _two_variants(app)

    assert stock.take_stock(first, 5) is True

    assert (_stock(first), _stock(second)) == (0, 7)


def test_taking_one_more_than_is_left_is_refused_and_changes_nothing(app):
    first, second = _two_variants(app)

    assert stock.take_stock(first, 6) is False

    assert (_stock(first), _stock(second)) == (5, 7)


def test_taking_from_a_variant_that_does_not_exist_is_refused(app):
    first, second = _two_variants(app)

    assert stock.take_stock(second + 1000, 1) is False

    assert (_stock(first), _stock(second)) == (5, 7)


def test_giving_back_adds_to_that_variant_only(app):
    first, second = _two_variants(app)

    stock.give_back_stock(first, 3)

    assert (_stock(first), _stock(second)) == (8, 7)


def _preorder_products(app):
    farm = deliver_everywhere(make_farm())
    products = [make_product(farm, name=name) for name in ("Vải thiều", "Nhãn lồng")]
    for product in products:
        product.preorder_capacity, product.preorder_taken = 10, 4
    db.session.flush()
    return [product.id for product in products]


def _taken(product_id: int) -> int:
    return db.session.scalar(select(Product.preorder_taken).where(Product.id == product_id))


def test_pre_orders_fill_the_capacity_to_the_last_box_and_no_further(app):
    first, second = _preorder_products(app)

    assert stock.take_preorder_capacity(first, 7) is False
    assert stock.take_preorder_capacity(first, 6) is True
    assert stock.take_preorder_capacity(first, 1) is False

    assert (_taken(first), _taken(second)) == (10, 4)


def test_giving_back_pre_order_capacity_frees_that_product_only(app):
    first, second = _preorder_products(app)

    stock.give_back_preorder_capacity(first, 3)

    assert (_taken(first), _taken(second)) == (1, 4)


def test_an_orders_stock_is_released_by_the_first_caller_only(app):
    farm = deliver_everywhere(make_farm())
    order_id, other_id = _place(farm).id, _place(farm).id

    assert stock.claim_release(order_id) is True
    assert stock.claim_release(order_id) is False

    released = dict(db.session.execute(select(Order.id, Order.stock_released_at)).all())
    assert released[order_id] is not None and released[other_id] is None
