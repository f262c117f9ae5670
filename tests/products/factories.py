"""Product factories: published products with variants, made through the services."""

from __future__ import annotations

import itertools
from datetime import date

from farms.readiness import missing_to_sell
from farms.services import set_bank_account
from orders.delivery import set_delivery_settings
from products import services
from products.models import Product
from tests.farms.factories import make_farm

_numbers = itertools.count(1)


def season_day_ahead(today: date) -> date:
    """The first of the month after next: a one-day season on it is never today's (even on
    1 January or in late December) and never 29 February."""
    month = today.month + 2
    return date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def preorder_fields(capacity: int, today: date) -> dict:
    """Product fields for a one-day season on season_day_ahead(today), open for `capacity`
    pre-orders shipped that day: out of season today, whatever today is."""
    opens = season_day_ahead(today)
    return {
        "season_start": f"{opens.day}/{opens.month}",
        "season_end": f"{opens.day}/{opens.month}",
        "preorder_enabled": True,
        "preorder_ships_on": opens,
        "preorder_capacity": str(capacity),
    }


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


def make_ready_to_sell(farm):
    """What a farm needs before it may publish, for what it lacks: a bank account, and
    pickup at the farm when it delivers nowhere (tests add delivery zones themselves)."""
    missing = {item.endpoint for item in missing_to_sell(farm)}
    owner = farm.members[0].user
    if "farms.bank_account" in missing:
        set_bank_account(
            farm, owner, bank_bin="970436", account_number="0011001234567", holder_name=farm.name
        )
    if "orders.delivery_settings" in missing:
        set_delivery_settings(
            farm,
            owner,
            min_order_vnd="",
            free_delivery_from_vnd="",
            pickup_enabled=True,
            pickup_address="Tại vườn, " + farm.commune,
        )
    return farm


def make_product(farm=None, *, publish: bool = True, prices=(180000,), **overrides) -> Product:
    farm = farm or make_farm()
    owner = farm.members[0].user
    product = services.create_product(farm, owner, **product_details(**overrides))
    for price in prices:
        services.add_variant(product, owner, **variant_fields(price_vnd=str(price)))
    if publish:
        make_ready_to_sell(farm)
        services.publish_product(product, owner)
    return product
