"""Removing a variant is never one tap: the seller ticks a confirmation first
(issue 10, money and food safety 7)."""

from __future__ import annotations

from app.extensions import db
from products.models import Variant
from tests.app.factories import log_in
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


def _seller(client, product):
    log_in(client, product.farm.members[0].user.phone)
    return client


def test_the_remove_button_comes_with_a_confirmation(client):
    product = make_product(prices=(180000, 420000))
    db.session.commit()

    page = _seller(client, product).get(f"/dashboard/products/{product.id}")

    html = page.get_data(as_text=True)
    assert html.count('name="confirm"') >= 2


def test_removing_a_variant_without_confirmation_is_refused_and_keeps_it(client):
    product = make_product(prices=(180000, 420000))
    variant_id = product.variants[1].id
    db.session.commit()
    seller = _seller(client, product)
    before = database_snapshot()

    response = seller.post_form(f"/dashboard/variants/{variant_id}/delete", follow_redirects=True)

    assert "Đánh dấu ô" in page_text(response)
    assert database_snapshot() == before


def test_a_confirmed_removal_removes_the_variant(client):
    product = make_product(prices=(180000, 420000))
    variant_id = product.variants[1].id
    db.session.commit()

    _seller(client, product).post_form(f"/dashboard/variants/{variant_id}/delete", {"confirm": "y"})

    db.session.expire_all()
    assert db.session.get(Variant, variant_id) is None
