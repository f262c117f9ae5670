"""The setup checklist's "first product" step (farms.readiness): a product on sale."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from farms.models import Farm
from farms.readiness import Missing, register_check
from products.models import Product, ProductStatus


def _without_product_on_sale(farms: Sequence[Farm]) -> set[int]:
    ids = [farm.id for farm in farms]
    selling = db.session.scalars(
        select(Product.farm_id)
        .where(Product.farm_id.in_(ids), Product.status == ProductStatus.PUBLISHED)
        .distinct()
    )
    return set(ids) - set(selling)


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
