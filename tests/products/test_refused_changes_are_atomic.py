"""A product service that refuses leaves its product or variant as it was, on its own: nothing
half-written in the session that another caller (the CSV import, a job) could still commit.
The refusal is caught without a rollback; the snapshot flushes the session first."""

from datetime import date

import pytest

from app.errors import DomainError
from products import services
from tests.products.factories import make_product, product_details, variant_fields
from tests.support.snapshots import database_snapshot

NEW_DETAILS = {
    "name": "Nhãn lồng Hưng Yên",
    "category": "dried_processed",
    "description": "Mô tả mới.",
    "gtin": "8934563138165",
    "season_start": "1/6",
    "season_end": "31/8",
    "preorder_enabled": True,
    "preorder_ships_on": date(2099, 6, 5),
    "preorder_capacity": "50",
}


def _details(product) -> tuple:
    return (
        product.name,
        product.category,
        product.description,
        product.gtin,
        product.season_start,
        product.season_end,
        product.preorder_enabled,
        product.preorder_capacity,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"preorder_capacity": "0"}, "preorder_capacity"),
        ({"preorder_ships_on": None}, "preorder_ships_on"),
        ({"season_end": ""}, "season_end"),
        ({"growing_area_id": "999999"}, "growing_area_id"),
    ],
)
def test_a_refused_product_change_leaves_the_product_as_it_was(app, changes, field):
    # Given a product with known details
    product = make_product(publish=False, **product_details(name="Vải thiều cũ"))
    old = _details(product)
    before = database_snapshot()

    # When every detail changes but one is refused
    with pytest.raises(DomainError) as refused:
        services.update_product(
            product,
            product.farm.members[0].user,
            **product_details(**{**NEW_DETAILS, **changes}),
        )

    # Then neither the object nor the database changed
    assert refused.value.field == field
    assert _details(product) == old
    assert database_snapshot() == before


def _variant(variant) -> tuple:
    return (
        variant.unit,
        variant.pack_kg,
        variant.price_vnd,
        variant.weight_grams,
        variant.stock,
        variant.min_order_qty,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_order_qty": "0"}, "min_order_qty"),
        ({"stock": "-1"}, "stock"),
        ({"price_vnd": "free"}, "price_vnd"),
        ({"pack_kg": "0"}, "pack_kg"),
    ],
)
def test_a_refused_variant_change_leaves_the_variant_as_it_was(app, changes, field):
    # Given a variant with known values
    product = make_product(publish=False)
    variant = product.variants[0]
    old = _variant(variant)
    new = {"unit": "bag", "pack_kg": "5", "price_vnd": "99000", "weight_grams": "5200"}
    before = database_snapshot()

    # When every value changes but one is refused
    with pytest.raises(DomainError) as refused:
        services.update_variant(
            variant,
            product.farm.members[0].user,
            **variant_fields(**{**new, "stock": "7", "min_order_qty": "2", **changes}),
        )

    # Then neither the object nor the database changed
    assert refused.value.field == field
    assert _variant(variant) == old
    assert database_snapshot() == before


def test_a_refused_bulk_edit_leaves_the_stock_as_it_was(app):
    # Given a variant with 40 boxes in stock
    product = make_product(publish=False)
    variant = product.variants[0]
    old = (variant.stock, variant.price_vnd)
    before = database_snapshot()

    # When the bulk edit gives a new stock and a price that is refused
    with pytest.raises(DomainError) as refused:
        services.set_stock_and_price(
            variant, product.farm.members[0].user, stock="5", price_vnd="free"
        )

    # Then the stock was not changed either
    assert refused.value.field == "price_vnd"
    assert (variant.stock, variant.price_vnd) == old
    assert database_snapshot() == before
