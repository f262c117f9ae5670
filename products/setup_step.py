"""The setup checklist's "first product" step (farms.readiness): a product on sale."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from farms.models import Farm
from farms.readiness import Missing, farms_without, register_check
from products.models import Product, ProductStatus


def _without_product_on_sale(farms: Sequence[Farm]) -> set[int]:
    return farms_without(farms, Product.farm_id, Product.status == ProductStatus.PUBLISHED)


def register() -> None:
    register_check(
        "first_product",
        Missing(
            _l("Put your first product on sale: its unit and price, then publish it."),
            _l("Add a product"),
            "products.new_product",
        ),
        _without_product_on_sale,
        title=_l("First product on sale"),
        required_to_sell=False,
        position=40,
    )
