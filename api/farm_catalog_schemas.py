"""The shapes of a farm's products and variants in the API: what is read, and what a program
sends to create or change them. The services check the values; these bound them so that no
request can carry what the database cannot store (a NUL character, an id past 32 bits)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Length, OneOf, Range

from api.paging import PageArgs
from api.schemas import UtcTime, Vnd, row_id, storable
from app.validation import MAX_VND
from products.models import Category, ProductStatus, Unit
from products.seasons import month_day_text

#: A whole number the services accept for stock, quantities and capacities.
MAX_COUNT = 10_000_000


def text(max_length: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=[Length(max=max_length), storable], **kwargs)


def count(minimum: int = 0, maximum: int = MAX_COUNT, **kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=Range(min=minimum, max=maximum), **kwargs)


class FarmVariantSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer(required=True)
    unit = ma.fields.String(required=True, metadata={"enum": [u.value for u in Unit]})
    pack_kg = ma.fields.Method(
        "_pack_kg",
        required=True,
        metadata={"type": ["number", "null"], "description": "Kilograms in one box, bag or jar"},
    )
    custom_unit = ma.fields.String(required=True, allow_none=True)
    price_vnd = Vnd(required=True)
    weight_grams = ma.fields.Integer(required=True)
    stock = ma.fields.Integer(required=True)
    min_order_qty = ma.fields.Integer(required=True)
    position = ma.fields.Integer(required=True)

    def _pack_kg(self, variant) -> float | None:
        return float(variant.pack_kg) if variant.pack_kg is not None else None


class FarmProductSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    farm_id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    english_name = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"enum": [c.value for c in Category]})
    description = ma.fields.String(required=True)
    gtin = ma.fields.String(required=True, allow_none=True, metadata={"description": "GTIN-14"})
    status = ma.fields.String(required=True, metadata={"enum": [s.value for s in ProductStatus]})
    growing_area_id = ma.fields.Integer(required=True, allow_none=True)
    season_start = ma.fields.Function(
        lambda product: month_day_text(product.season_start) or None,
        required=True,
        metadata={"type": ["string", "null"], "description": "day/month, e.g. 1/6"},
    )
    season_end = ma.fields.Function(
        lambda product: month_day_text(product.season_end) or None,
        required=True,
        metadata={"type": ["string", "null"], "description": "day/month, e.g. 31/8"},
    )
    preorder_enabled = ma.fields.Boolean(required=True)
    preorder_ships_on = ma.fields.Date(required=True, allow_none=True)
    preorder_capacity = ma.fields.Integer(required=True)
    preorder_taken = ma.fields.Integer(required=True)
    price_from_vnd = Vnd(required=True, allow_none=True)
    created_at = UtcTime(required=True)
    published_at = UtcTime(required=True, allow_none=True)
    sale_stopped_at = UtcTime(
        required=True,
        allow_none=True,
        metadata={"description": "Set by a recall: not for sale until a new harvest"},
    )
    variants = ma.fields.List(ma.fields.Nested(FarmVariantSchema), required=True)


class ProductFilterArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=OneOf([s.value for s in ProductStatus]))


class _ProductFields(ma.Schema):
    """The product form's fields; season days as day/month ("1/6"), as the form takes them."""

    english_name = text(1000)
    description = text(20000)
    gtin = text(40, allow_none=True)
    growing_area_id = row_id(strict=True, allow_none=True)
    season_start = text(10, allow_none=True)
    season_end = text(10, allow_none=True)
    preorder_enabled = ma.fields.Boolean()
    preorder_ships_on = ma.fields.Date(allow_none=True)
    preorder_capacity = count(allow_none=True)


class ProductCreateSchema(_ProductFields):
    name = text(1000, required=True)
    category = ma.fields.String(required=True, validate=OneOf([c.value for c in Category]))


class ProductChangeSchema(_ProductFields):
    """Only the fields sent change; the others keep their values."""

    name = text(1000)
    category = ma.fields.String(validate=OneOf([c.value for c in Category]))


class _VariantFields(ma.Schema):
    #: A float, not a Decimal: the document would carry a Decimal's bounds as strings. The
    #: service reads it to two decimals.
    pack_kg = ma.fields.Float(allow_none=True, validate=Range(min=0.01, max=1000))
    custom_unit = text(200, allow_none=True)


class VariantCreateSchema(_VariantFields):
    unit = ma.fields.String(required=True, validate=OneOf([u.value for u in Unit]))
    price_vnd = Vnd(required=True, validate=Range(min=1, max=MAX_VND))
    weight_grams = count(1, 100_000, required=True)
    stock = count(load_default=0)
    min_order_qty = count(1, 10_000, load_default=1)


class VariantChangeSchema(_VariantFields):
    """Only the fields sent change; the others keep their values."""

    unit = ma.fields.String(validate=OneOf([u.value for u in Unit]))
    price_vnd = Vnd(validate=Range(min=1, max=MAX_VND))
    weight_grams = count(1, 100_000)
    stock = count()
    min_order_qty = count(1, 10_000)
