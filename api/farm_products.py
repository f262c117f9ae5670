"""A farm's own products over the API: every status (drafts and hidden ones too), created,
changed, published and hidden through products.services, as the dashboard's forms do."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.farm_catalog_schemas import (
    FarmProductSchema,
    ProductChangeSchema,
    ProductCreateSchema,
    ProductFilterArgs,
)
from api.paging import keyset_page, next_link, page_body, page_schema
from api.reach import farm_in_reach
from api.schemas import ROW_ID
from app.errors import NotFound
from app.extensions import db
from farms.models import Farm
from products import services
from products.models import Product
from products.seasons import month_day_text

blp = api_blueprint(
    "farm products",
    "/farms",
    "A farm's products, whatever their status: create, change, publish, hide",
)

FarmProductPage = page_schema(FarmProductSchema, "FarmProductPage")

#: What a new product gets for the fields a program leaves out: the empty form.
_NEW_PRODUCT = {
    "english_name": "",
    "description": "",
    "gtin": None,
    "growing_area_id": None,
    "season_start": None,
    "season_end": None,
    "preorder_enabled": False,
    "preorder_ships_on": None,
    "preorder_capacity": None,
}


def product_of(farm: Farm, product_id: int) -> Product:
    """The farm's product; another farm's is as unknown as one that does not exist."""
    product = db.session.get(Product, product_id)
    if product is None or product.farm_id != farm.id:
        raise NotFound(f"Product {product_id}")
    return product


def _current_details(product: Product) -> dict:
    """The product's details as the form shows them, for a change that sends only some."""
    return {
        "name": product.name,
        "english_name": product.english_name,
        "category": product.category,
        "description": product.description,
        "gtin": product.gtin,
        "growing_area_id": product.growing_area_id,
        "season_start": month_day_text(product.season_start),
        "season_end": month_day_text(product.season_end),
        "preorder_enabled": product.preorder_enabled,
        "preorder_ships_on": product.preorder_ships_on,
        "preorder_capacity": product.preorder_capacity,
    }


@blp.route(f"/<{ROW_ID}:farm_id>/products")
class FarmProducts(MethodView):
    @authorized(blp, "products:read")
    @blp.arguments(ProductFilterArgs, location="query")
    @blp.response(200, FarmProductPage)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, farm_id: int):
        """The farm's products, newest first, with their variants; `status` filters."""
        farm = farm_in_reach(farm_id)
        statement = (
            select(Product)
            .where(Product.farm_id == farm.id)
            .options(selectinload(Product.variants))
        )
        if args["status"]:
            statement = statement.where(Product.status == args["status"])
        rows, cursor = keyset_page(statement, Product.id, args)
        return page_body(rows, cursor), 200, next_link(cursor)

    @authorized(blp, "products:write")
    @blp.arguments(ProductCreateSchema)
    @blp.response(201, FarmProductSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, details, farm_id: int):
        """A new product, as a draft: add a variant, then publish it."""
        farm = farm_in_reach(farm_id)
        product = services.create_product(farm, caller(), **{**_NEW_PRODUCT, **details})
        db.session.commit()
        return product


@blp.route(f"/<{ROW_ID}:farm_id>/products/<{ROW_ID}:product_id>")
class FarmProduct(MethodView):
    @authorized(blp, "products:read")
    @blp.response(200, FarmProductSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, product_id: int):
        """One of the farm's products, with its variants."""
        return product_of(farm_in_reach(farm_id), product_id)

    @authorized(blp, "products:write")
    @blp.arguments(ProductChangeSchema)
    @blp.response(200, FarmProductSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes, farm_id: int, product_id: int):
        """Change the fields sent (name, description, category, season, pre-orders...)."""
        product = product_of(farm_in_reach(farm_id), product_id)
        services.update_product(product, caller(), **{**_current_details(product), **changes})
        db.session.commit()
        return product


@blp.route(f"/<{ROW_ID}:farm_id>/products/<{ROW_ID}:product_id>/publish", methods=["POST"])
@authorized(blp, "products:write")
@blp.response(200, FarmProductSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def publish(farm_id: int, product_id: int):
    """Put the product on sale: it needs a variant, and the farm a way to be paid and to
    hand orders over (422 says what is missing)."""
    product = product_of(farm_in_reach(farm_id), product_id)
    services.publish_product(product, caller())
    db.session.commit()
    return product


@blp.route(f"/<{ROW_ID}:farm_id>/products/<{ROW_ID}:product_id>/unpublish", methods=["POST"])
@authorized(blp, "products:write")
@blp.response(200, FarmProductSchema)
@blp.alt_response(404, response="NOT_FOUND")
def unpublish(farm_id: int, product_id: int):
    """Take the product off the storefront (status `hidden`); publishing brings it back."""
    product = product_of(farm_in_reach(farm_id), product_id)
    services.hide_product(product, caller())
    db.session.commit()
    return product
