"""The public catalog (no token): the storefront's search, a product's page and the farms'
pages, as data. The same queries and visibility rules as products.views.storefront: a
product is shown when published by a farm that is not suspended; a farm unless suspended."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask import current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.blueprint import api_blueprint
from api.paging import (
    MAX_LIMIT,
    PageArgs,
    decode_cursor,
    encode_cursor,
    keyset_page,
    next_link,
    page_schema,
)
from api.schemas import ROW_ID, UtcTime, Vnd
from app.clock import local_today
from app.errors import DomainError, NotFound
from app.extensions import db
from app.geo import all_provinces
from app.http_cache import public_page
from app.validation import MAX_ID, MAX_VND
from farms.forms import SCHEME_CHOICES
from farms.models import Certification, Farm, FarmKind
from products.catalog import AVAILABILITY, SORTS, CatalogQuery, farm_products, search_catalog
from products.models import Category, Product
from products.seasons import availability
from products.units import unit_label

blp = api_blueprint(
    "catalog",
    "",
    "The storefront's catalog, products and farms, in public: no token needed",
)

PROVINCE_CODES = [province.code for province in all_provinces()]
CATEGORIES = [category.value for category in Category]


# Helpers shared with api.public_trace ------------------------------------------------------


def absolute_url(endpoint: str, **values) -> str:
    """A page's or photo's address with the site's host (BASE_URL), for programs that keep it."""
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def photo_urls(display_key: str, thumb_key: str) -> dict:
    return {
        "url": absolute_url("media.serve", key=display_key),
        "thumb_url": absolute_url("media.serve", key=thumb_key),
    }


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as plain text ("1.5", "850"): exact, where a JSON number might not be."""
    return None if value is None else format(value.normalize(), "f")


def farm_ref(farm: Farm) -> dict:
    return {
        "id": farm.id,
        "slug": farm.slug,
        "name": farm.name,
        "province_code": farm.province_code,
        "province": farm.province_name,
        "commune": farm.commune,
        "verified": farm.is_verified,
        "url": absolute_url("products.farm_page", slug=farm.slug),
    }


def certification(found: Certification, today) -> dict:
    return {
        "scheme": found.scheme,
        "name": found.scheme_name,
        "number": found.number,
        "issuer": found.issuer,
        "expires_on": found.expires_on,
        "valid": found.is_valid_on(today),
    }


class PublicPhotoSchema(ma.Schema):
    url = ma.fields.String(required=True, metadata={"description": "The photo, absolute"})
    thumb_url = ma.fields.String(required=True, metadata={"description": "Its thumbnail"})


class PublicFarmRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    province_code = ma.fields.String(required=True)
    province = ma.fields.String(required=True)
    commune = ma.fields.String(required=True)
    verified = ma.fields.Boolean(
        required=True, metadata={"description": "An operator checked the farm's identity"}
    )
    url = ma.fields.String(required=True, metadata={"description": "The farm's public page"})


class PublicCertificationSchema(ma.Schema):
    """A certificate an operator verified; `valid` is false once it expired."""

    scheme = ma.fields.String(required=True, metadata={"description": "vietgap, globalgap…"})
    name = ma.fields.String(required=True)
    number = ma.fields.String(required=True)
    issuer = ma.fields.String(required=True)
    expires_on = ma.fields.Date(required=True)
    valid = ma.fields.Boolean(required=True)


# Products ----------------------------------------------------------------------------------


def _season_day(month_day: int | None) -> str | None:
    # Stored as month*100+day; written as an RFC 3339-like --MM-DD (no year: every year).
    return None if month_day is None else f"--{month_day // 100:02d}-{month_day % 100:02d}"


def _ocop_stars(product: Product, today) -> int | None:
    ocop = product.ocop
    return ocop.stars if ocop is not None and ocop.is_valid_on(today) else None


def product_summary(product: Product, today) -> dict:
    cover = product.cover_photo
    return {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "english_name": product.english_name or None,
        "category": product.category,
        "price_from_vnd": product.price_from_vnd,
        "ocop_stars": _ocop_stars(product, today),
        "season_start": _season_day(product.season_start),
        "season_end": _season_day(product.season_end),
        "availability": availability(product, today).state.value,
        "photo": photo_urls(cover.display_key, cover.thumb_key) if cover else None,
        "farm": farm_ref(product.farm),
        "url": absolute_url("products.product_page", slug=product.slug),
    }


SEASON_STATES = ("year_round", "in_season", "preorder", "out_of_season")


class PublicProductSummarySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True, metadata={"description": "As the farm wrote it"})
    english_name = ma.fields.String(allow_none=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    price_from_vnd = Vnd(allow_none=True, metadata={"description": "The lowest variant price"})
    ocop_stars = ma.fields.Integer(
        allow_none=True, metadata={"description": "OCOP stars, while verified and not expired"}
    )
    season_start = ma.fields.String(
        allow_none=True, metadata={"description": "First day of the season, --MM-DD"}
    )
    season_end = ma.fields.String(allow_none=True)
    availability = ma.fields.String(
        required=True, validate=ma.validate.OneOf(SEASON_STATES), metadata={"enum": SEASON_STATES}
    )
    photo = ma.fields.Nested(PublicPhotoSchema, allow_none=True)
    farm = ma.fields.Nested(PublicFarmRefSchema, required=True)
    url = ma.fields.String(required=True, metadata={"description": "The product's page"})


class CatalogArgs(PageArgs):
    q = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=100),
        metadata={"description": "Words to find, with or without Vietnamese accents"},
    )
    category = ma.fields.String(load_default=None, validate=ma.validate.OneOf(CATEGORIES))
    province = ma.fields.String(load_default=None, validate=ma.validate.OneOf(PROVINCE_CODES))
    min_stars = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=3, max=5),
        metadata={"description": "At least this many verified OCOP stars"},
    )
    certification = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf([scheme for scheme, _ in SCHEME_CHOICES]),
        metadata={"description": "The farm holds a valid certificate of this scheme"},
    )
    price_min = ma.fields.Integer(load_default=None, validate=ma.validate.Range(0, MAX_VND))
    price_max = ma.fields.Integer(load_default=None, validate=ma.validate.Range(0, MAX_VND))
    availability = ma.fields.String(load_default=None, validate=ma.validate.OneOf(AVAILABILITY))
    sort = ma.fields.String(load_default="relevance", validate=ma.validate.OneOf(SORTS))


CatalogPageSchema = ma.Schema.from_dict(
    {
        "items": ma.fields.List(ma.fields.Nested(PublicProductSummarySchema), required=True),
        "next_cursor": ma.fields.String(required=True, allow_none=True),
        "total": ma.fields.Integer(
            required=True,
            metadata={"description": "Matches, counted up to 1000 (the catalog ranks no more)"},
        ),
        "more": ma.fields.Boolean(
            required=True, metadata={"description": "More than `total` matched"}
        ),
    },
    name="CatalogPage",
)

_NOT_OURS = _l("This cursor is not one the API gave.")


def _page_of(args: dict) -> tuple[int, int]:
    """The page's number and size. The catalog is ranked, not keyed: its cursor holds the
    next page's number and the size it was made with, which wins over `limit` (another
    size would start the page elsewhere in the ranking)."""
    if not args["cursor"]:
        return 1, args["limit"]
    found = decode_cursor(args["cursor"])
    if (
        not isinstance(found, list)
        or len(found) != 2
        or not all(type(n) is int for n in found)
        or not 2 <= found[0] <= MAX_ID
        or not 1 <= found[1] <= MAX_LIMIT
    ):
        raise DomainError(_NOT_OURS, field="cursor")
    return found[0], found[1]


@blp.route("/products")
@public_page
@blp.arguments(CatalogArgs, location="query")
@blp.response(200, CatalogPageSchema)
def search_products(args):
    """Search the catalog.

    The storefront's search: the same ranking, filters and sorts.

    Only products on sale are listed; a product recalled from sale leaves the list. Pages
    follow `next_cursor`, which keeps the page size it was made with; at most the first 1000
    matches are ranked, as on the storefront.
    """
    page_number, size = _page_of(args)
    query = CatalogQuery(
        text=args["q"],
        category=args["category"],
        province_code=args["province"],
        min_stars=args["min_stars"],
        certification=args["certification"],
        price_min=args["price_min"],
        price_max=args["price_max"],
        availability=args["availability"],
        sort=args["sort"],
        page=page_number,
    )
    today = local_today()
    found = search_catalog(query, today, per_page=size)
    # search_catalog answers a page past the end with the last one: none for a program.
    items = found.items if found.page == page_number else []
    cursor = encode_cursor([page_number + 1, size]) if items and found.page < found.pages else None
    body = {
        "items": [product_summary(product, today) for product in items],
        "next_cursor": cursor,
        "total": found.total,
        "more": found.more,
    }
    return body, 200, next_link(cursor)


class PublicVariantSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    unit = ma.fields.String(required=True, metadata={"description": "kg, box, bag, jar…"})
    unit_label = ma.fields.String(
        required=True, metadata={"description": "As the page shows it, in the caller's language"}
    )
    pack_kg = ma.fields.String(allow_none=True, metadata={"description": "Kilograms, as text"})
    price_vnd = Vnd(required=True)
    min_order_qty = ma.fields.Integer(required=True)
    in_stock = ma.fields.Boolean(required=True, metadata={"description": "Can be bought now"})
    stock = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Units left, as the page shows; null when not for sale"},
    )


class PublicOcopSchema(ma.Schema):
    stars = ma.fields.Integer(required=True)
    level = ma.fields.String(required=True, metadata={"description": "province or ministry"})
    decision_number = ma.fields.String(required=True)
    expires_on = ma.fields.Date(required=True)


class PublicAreaSchema(ma.Schema):
    name = ma.fields.String(required=True)
    code = ma.fields.String(
        allow_none=True, metadata={"description": "Planting-area code (mã số vùng trồng)"}
    )


class PublicSeasonSchema(ma.Schema):
    state = ma.fields.String(required=True, metadata={"enum": SEASON_STATES})
    season_opens = ma.fields.Date(allow_none=True)
    season_closes = ma.fields.Date(allow_none=True)
    preorder_ships_on = ma.fields.Date(allow_none=True)
    preorder_left = ma.fields.Integer(required=True)


class PublicProductRecallSchema(ma.Schema):
    notice = ma.fields.String(
        required=True, metadata={"description": "The page's warning, in the caller's language"}
    )
    recalled_at = UtcTime(required=True)
    batch_code = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    for_sale = ma.fields.Boolean(
        required=True, metadata={"description": "False: nothing left that was not recalled"}
    )


class PublicProductSchema(PublicProductSummarySchema):
    description = ma.fields.String(required=True)
    gtin = ma.fields.String(allow_none=True)
    for_sale = ma.fields.Boolean(required=True)
    variants = ma.fields.List(ma.fields.Nested(PublicVariantSchema), required=True)
    photos = ma.fields.List(ma.fields.Nested(PublicPhotoSchema), required=True)
    ocop = ma.fields.Nested(PublicOcopSchema, allow_none=True)
    certifications = ma.fields.List(
        ma.fields.Nested(PublicCertificationSchema),
        required=True,
        metadata={"description": "The farm's valid certificates"},
    )
    growing_area = ma.fields.Nested(PublicAreaSchema, allow_none=True)
    season = ma.fields.Nested(PublicSeasonSchema, required=True)
    recall = ma.fields.Nested(
        PublicProductRecallSchema,
        allow_none=True,
        metadata={"description": "The latest recall of one of its batches, if any"},
    )


def _variant(variant, for_sale: bool) -> dict:
    return {
        "id": variant.id,
        "unit": variant.unit,
        "unit_label": unit_label(variant),
        "pack_kg": decimal_text(variant.pack_kg),
        "price_vnd": variant.price_vnd,
        "min_order_qty": variant.min_order_qty,
        "in_stock": for_sale and variant.stock > 0,
        "stock": variant.stock if for_sale else None,
    }


def product_detail(product: Product, today) -> dict:
    farm, ocop, area = product.farm, product.ocop, product.growing_area
    season = availability(product, today)
    for_sale = not product.is_sale_stopped
    return {
        **product_summary(product, today),
        "description": product.description,
        "gtin": product.gtin or None,
        "for_sale": for_sale,
        "variants": [_variant(variant, for_sale) for variant in product.variants],
        "photos": [photo_urls(p.display_key, p.thumb_key) for p in product.photos],
        "ocop": (
            {
                "stars": ocop.stars,
                "level": ocop.level,
                "decision_number": ocop.decision_number,
                "expires_on": ocop.expires_on,
            }
            if ocop is not None and ocop.is_valid_on(today)
            else None
        ),
        "certifications": [certification(c, today) for c in farm.valid_certifications(today)],
        "growing_area": {"name": area.name, "code": area.code} if area else None,
        "season": {
            "state": season.state.value,
            "season_opens": season.season_opens,
            "season_closes": season.season_closes,
            "preorder_ships_on": season.preorder_ships_on,
            "preorder_left": season.preorder_left,
        },
        "recall": (
            {
                "notice": (
                    gettext("Recalled: not for sale")
                    if not for_sale
                    else gettext("A batch of this product was recalled")
                ),
                "recalled_at": product.recalled_at,
                "batch_code": product.recalled_batch_code,
                "reason": product.recall_reason,
                "for_sale": for_sale,
            }
            if product.recalled_at
            else None
        ),
    }


@blp.route(f"/products/<{ROW_ID}:product_id>")
@public_page
@blp.response(200, PublicProductSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_product(product_id: int):
    """A product on the storefront.

    Its variants, photos, farm, OCOP stars, certificates, season and any recall. A draft or
    hidden product, or a suspended farm's, is 404, as its page is.
    """
    product = db.session.scalar(
        select(Product)
        .where(Product.id == product_id)
        .options(
            selectinload(Product.variants),
            selectinload(Product.photos),
            selectinload(Product.ocop),
            selectinload(Product.growing_area),
            selectinload(Product.farm).selectinload(Farm.certifications),
        )
    )
    if product is None or not product.is_published or product.farm.is_suspended:
        raise NotFound(f"product {product_id}")
    return product_detail(product, local_today())


# Farms -------------------------------------------------------------------------------------


class PublicFarmSummarySchema(PublicFarmRefSchema):
    kind = ma.fields.String(
        required=True, validate=ma.validate.OneOf([kind.value for kind in FarmKind])
    )
    photo = ma.fields.Nested(PublicPhotoSchema, allow_none=True)


class PublicGrowingAreaSchema(PublicAreaSchema):
    crop = ma.fields.String(required=True)
    area_ha = ma.fields.String(required=True, metadata={"description": "Hectares, as text"})
    commune = ma.fields.String(required=True)


class PublicFarmSchema(PublicFarmSummarySchema):
    story = ma.fields.String(required=True)
    contact_phone = ma.fields.String(allow_none=True, metadata={"description": "E.164"})
    cooperative = ma.fields.Nested(
        PublicFarmRefSchema,
        allow_none=True,
        metadata={"description": "The cooperative it belongs to"},
    )
    photos = ma.fields.List(ma.fields.Nested(PublicPhotoSchema), required=True)
    certifications = ma.fields.List(
        ma.fields.Nested(PublicCertificationSchema),
        required=True,
        metadata={"description": "Verified certificates, expired ones marked not valid"},
    )
    growing_areas = ma.fields.List(ma.fields.Nested(PublicGrowingAreaSchema), required=True)
    products = ma.fields.List(
        ma.fields.Nested(PublicProductSummarySchema),
        required=True,
        metadata={"description": "Its products on sale, newest first (as its page, up to 60)"},
    )


def farm_summary(farm: Farm) -> dict:
    cover = farm.photos[0] if farm.photos else None
    return {
        **farm_ref(farm),
        "kind": farm.kind,
        "photo": photo_urls(cover.display_key, cover.thumb_key) if cover else None,
    }


class FarmListArgs(PageArgs):
    province = ma.fields.String(load_default=None, validate=ma.validate.OneOf(PROVINCE_CODES))
    verified = ma.fields.Boolean(
        load_default=None,
        metadata={"description": "true: verified farms only; false: not yet verified only"},
    )


@blp.route("/farms")
@public_page
@blp.arguments(FarmListArgs, location="query")
@blp.response(200, page_schema(PublicFarmSummarySchema, "PublicFarmPage"))
def list_farms(args):
    """The farms on the storefront (not suspended), newest first."""
    statement = select(Farm).where(Farm.suspended_at.is_(None)).options(selectinload(Farm.photos))
    if args["province"]:
        statement = statement.where(Farm.province_code == args["province"])
    if args["verified"] is not None:
        verified = Farm.verified_at.is_not(None)
        statement = statement.where(verified if args["verified"] else ~verified)
    farms, cursor = keyset_page(statement, Farm.id, args)
    return (
        {"items": [farm_summary(f) for f in farms], "next_cursor": cursor},
        200,
        next_link(cursor),
    )


@blp.route(f"/farms/<{ROW_ID}:farm_id>")
@public_page
@blp.response(200, PublicFarmSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_farm(farm_id: int):
    """A farm, as its public page shows it.

    Profile, photos, verified certificates, growing areas and products on sale; nothing
    private (no bank account, no members). A suspended farm is 404.
    """
    farm = db.session.scalar(
        select(Farm)
        .where(Farm.id == farm_id)
        .options(
            selectinload(Farm.photos),
            selectinload(Farm.certifications),
            selectinload(Farm.growing_areas),
            selectinload(Farm.cooperative),
        )
    )
    if farm is None or farm.is_suspended:
        raise NotFound(f"farm {farm_id}")
    today = local_today()
    return {
        **farm_summary(farm),
        "story": farm.story,
        "contact_phone": farm.contact_phone,
        "cooperative": farm_ref(farm.cooperative) if farm.cooperative else None,
        "photos": [photo_urls(p.display_key, p.thumb_key) for p in farm.photos],
        "certifications": [
            certification(c, today) for c in farm.certifications if c.verified_at is not None
        ],
        "growing_areas": [
            {
                "name": area.name,
                "code": area.code,
                "crop": area.crop,
                "area_ha": decimal_text(area.area_ha),
                "commune": area.commune,
            }
            for area in farm.growing_areas
        ],
        "products": [product_summary(p, today) for p in farm_products(farm)],
    }
