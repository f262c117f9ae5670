"""Product factories: published products with variants, made through the services."""

from __future__ import annotations

import itertools

from products import services
from products.models import Product
from tests.farms.factories import make_farm

_numbers = itertools.count(1)


def product_details(**overrides) -> dict:
    n = next(_numbers)
    details = {
        "name": f"Vải thiều Thanh Hà loại {n}",
        "category": "fresh_fruit",
        "description": "Quả to, cùi dày, hạt nhỏ.",
        "gtin": "",
        "growing_area_id": "",
        "season_start": "",
        "season_end": "",
        "preorder_enabled": False,
        "preorder_ships_on": None,
        "preorder_capacity": "",
    }
    details.update(overrides)
    return details


def variant_fields(**overrides) -> dict:
    fields = {
        "unit": "box",
        "pack_kg": "2",
        "custom_unit": None,
        "price_vnd": "180000",
        "weight_grams": "2300",
        "stock": "40",
        "min_order_qty": "1",
    }
    fields.update(overrides)
    return fields


def make_product(farm=None, *, publish: bool = True, prices=(180000,), **overrides) -> Product:
    farm = farm or make_farm()
    owner = farm.members[0].user
    product = services.create_product(farm, owner, **product_details(**overrides))
    for price in prices:
        services.add_variant(product, owner, **variant_fields(price_vnd=str(price)))
    if publish:
        services.publish_product(product, owner)
    return product
