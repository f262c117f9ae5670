"""What a farm's products are sold as (variants) over the API, and the bulk change of stock
and prices: the same services as the product page and the bulk stock page."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext
from marshmallow.validate import Length, Range

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.farm_catalog_schemas import (
    FarmVariantSchema,
    VariantChangeSchema,
    VariantCreateSchema,
    count,
)
from api.farm_products import product_of
from api.problems import problem
from api.reach import farm_in_reach
from api.schemas import ROW_ID, Vnd, row_id
from app.errors import NotFound
from app.extensions import db
from app.validation import MAX_VND
from products import services
from products.bulk_changes import (
    MAX_CHANGES,
    ChangedMeanwhile,
    ChangesRefused,
    ItemError,
    VariantChange,
    change_stock_and_prices,
)
from products.models import Variant

blp = api_blueprint(
    "farm variants",
    "/farms",
    "What a farm's products are sold as: unit, price, stock; and stock and prices in bulk",
)


class FarmVariantListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(FarmVariantSchema), required=True)


class StockAndPriceChangeSchema(ma.Schema):
    variant_id = row_id(strict=True, required=True)
    stock = count()
    price_vnd = Vnd(validate=Range(min=1, max=MAX_VND))
    expected_stock = count(metadata={"description": "Refused (409) unless the stock is still this"})
    expected_price_vnd = Vnd(
        validate=Range(min=0, max=MAX_VND),
        metadata={"description": "Refused (409) unless the price is still this"},
    )

    @ma.validates_schema
    def _changes_something(self, data, **kwargs):
        if "stock" not in data and "price_vnd" not in data:
            raise ma.ValidationError(gettext("Give the new stock, price_vnd or both."), "stock")


class StockAndPricesSchema(ma.Schema):
    items = ma.fields.List(
        ma.fields.Nested(StockAndPriceChangeSchema),
        required=True,
        validate=Length(min=1, max=MAX_CHANGES),
    )


def _variant_of(farm_id: int, product_id: int, variant_id: int) -> Variant:
    product = product_of(farm_in_reach(farm_id), product_id)
    variant = db.session.get(Variant, variant_id)
    if variant is None or variant.product_id != product.id:
        raise NotFound(f"Variant {variant_id}")
    return variant


def _current_fields(variant: Variant) -> dict:
    return {
        "unit": variant.unit,
        "pack_kg": variant.pack_kg,
        "custom_unit": variant.custom_unit,
        "price_vnd": variant.price_vnd,
        "weight_grams": variant.weight_grams,
        "stock": variant.stock,
        "min_order_qty": variant.min_order_qty,
    }


@blp.route(f"/<{ROW_ID}:farm_id>/products/<{ROW_ID}:product_id>/variants")
class ProductVariants(MethodView):
    @authorized(blp, "products:read")
    @blp.response(200, FarmVariantListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, product_id: int):
        """The product's variants, in the order buyers see them."""
        return {"items": product_of(farm_in_reach(farm_id), product_id).variants}

    @authorized(blp, "products:write")
    @blp.arguments(VariantCreateSchema)
    @blp.response(201, FarmVariantSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, fields, farm_id: int, product_id: int):
        """A new way to sell the product: a unit, its price, weight and stock."""
        product = product_of(farm_in_reach(farm_id), product_id)
        fields = {"pack_kg": None, "custom_unit": None, **fields}
        variant = services.add_variant(product, caller(), **fields)
        db.session.commit()
        return variant


@blp.route(f"/<{ROW_ID}:farm_id>/products/<{ROW_ID}:product_id>/variants/<{ROW_ID}:variant_id>")
class ProductVariant(MethodView):
    @authorized(blp, "products:read")
    @blp.response(200, FarmVariantSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, product_id: int, variant_id: int):
        """One variant of the product."""
        return _variant_of(farm_id, product_id, variant_id)

    @authorized(blp, "products:write")
    @blp.arguments(VariantChangeSchema)
    @blp.response(200, FarmVariantSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes, farm_id: int, product_id: int, variant_id: int):
        """Change the fields sent; the others keep their values."""
        variant = _variant_of(farm_id, product_id, variant_id)
        services.update_variant(variant, caller(), **{**_current_fields(variant), **changes})
        db.session.commit()
        return variant

    @authorized(blp, "products:write")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def delete(self, farm_id: int, product_id: int, variant_id: int):
        """Remove the variant (a published product keeps at least one)."""
        variant = _variant_of(farm_id, product_id, variant_id)
        services.remove_variant(variant, caller())
        db.session.commit()


def _item_problem(status: int, detail: str, errors: list[ItemError]):
    """The refused items as marshmallow would name them: items -> index -> field."""
    by_index: dict[str, dict[str, list[str]]] = {}
    for error in errors:
        by_index.setdefault(str(error.index), {}).setdefault(error.field, []).append(error.message)
    return problem(status, detail, errors={"items": by_index})


@blp.route(f"/<{ROW_ID}:farm_id>/variants", methods=["PATCH"])
@authorized(blp, "products:write")
@blp.arguments(StockAndPricesSchema)
@blp.response(200, FarmVariantListSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def change_stock_and_prices_in_bulk(body, farm_id: int):
    """Stock and prices of many of the farm's variants, all or nothing: one refused item
    (422) or one `expected_*` that no longer holds (409) changes none, and the problem's
    `errors` names each item by its index and field."""
    farm = farm_in_reach(farm_id)
    changes = [VariantChange(**item) for item in body["items"]]
    try:
        variants = change_stock_and_prices(farm, caller(), changes)
    except ChangesRefused as refused:
        db.session.rollback()
        return _item_problem(422, str(refused.message), refused.errors)
    except ChangedMeanwhile as stale:
        db.session.rollback()
        detail = gettext("Nothing was saved: some variants changed since you read them.")
        return _item_problem(409, detail, stale.errors)
    db.session.commit()
    return {"items": variants}
