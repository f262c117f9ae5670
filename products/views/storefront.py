"""The storefront: what the home page shows, catalog with search and filters, the product page,
the farm page."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import local_today
from app.extensions import db
from app.form_fields import province_choices
from app.geo import province_by_code
from app.http_cache import public_page
from app.page_cache import shared_with_visitors
from app.validation import MAX_ID, MAX_VND, read_whole_number
from farms.forms import SCHEME_CHOICES
from farms.models import Farm
from farms.permissions import can_manage
from farms.queries import newest_farms
from products.catalog import (
    AVAILABILITY,
    SORTS,
    CatalogQuery,
    farm_products,
    in_season_now,
    ocop_products,
    search_catalog,
)
from products.forms import category_choices
from products.models import Category, Product
from products.seasons import availability
from products.structured_data import product_json_ld
from products.views import bp, product_name


def home_content(today: date) -> dict[str, object]:
    """The home page's sections (app/templates/main/index.html): produce in season now,
    OCOP products, and the newest farms."""
    return {
        "in_season": in_season_now(today),
        "ocop": ocop_products(today),
        "farms": newest_farms(),
    }


def _int_arg(name: str, problems: list[str], label: str, maximum: int) -> int | None:
    """A whole number from the address; a larger one reads as `maximum`, which no price or
    page passes, so the database's integers stay in range."""
    raw = (request.args.get(name) or "").replace(".", "").replace(",", "").strip()
    if not raw:
        return None
    number = read_whole_number(raw)
    if number is None or number < 0:
        problems.append(_("%(what)s must be a whole number; it was ignored.", what=label))
        return None
    return min(number, maximum)


def catalog_query_from_args() -> tuple[CatalogQuery, list[str]]:
    """Read the catalog's GET parameters; anything malformed is ignored and explained."""
    problems: list[str] = []
    args = request.args
    category = args.get("category") or None
    province = args.get("province") or None
    certification = args.get("certification") or None
    stars = _int_arg("stars", problems, _("OCOP stars"), MAX_ID)
    query = CatalogQuery(
        text=(args.get("q") or "")[:100],
        category=category if category in set(Category) else None,
        province_code=province if province_by_code(province) else None,
        min_stars=stars if stars in (3, 4, 5) else None,
        certification=certification if certification in dict(SCHEME_CHOICES) else None,
        price_min=_int_arg("price_min", problems, _("The lowest price"), MAX_VND + 1),
        price_max=_int_arg("price_max", problems, _("The highest price"), MAX_VND + 1),
        availability=args.get("availability") if args.get("availability") in AVAILABILITY else None,
        sort=args.get("sort") if args.get("sort") in SORTS else "relevance",
        page=_int_arg("page", problems, _("The page"), MAX_ID) or 1,
    )
    return query, problems


@bp.get("/products")
@shared_with_visitors
def catalog():
    query, problems = catalog_query_from_args()
    today = local_today()
    page = search_catalog(query, today)
    return render_template(
        "products/catalog.html",
        query=query,
        page=page,
        problems=problems,
        today=today,
        categories=category_choices(_("All categories")),
        provinces=province_choices(_("All provinces")),
        schemes=SCHEME_CHOICES,
    )


@bp.get("/products/<slug>")
@public_page
def product_page(slug: str):
    product = db.session.scalar(
        select(Product)
        .where(Product.slug == slug)
        .options(
            selectinload(Product.variants),
            selectinload(Product.photos),
            selectinload(Product.farm).selectinload(Farm.certifications),
        )
    )
    if product is None:
        abort(404)
    visible = product.is_published and not product.farm.is_suspended
    if not visible and not can_manage(current_user, product.farm):
        abort(404)
    today = local_today()
    available = availability(product, today)
    return render_template(
        "products/product_page.html",
        product=product,
        farm=product.farm,
        today=today,
        available=available,
        preview=not visible,
        json_ld=product_json_ld(product, product_name(product), available.state),
    )


@bp.get("/farms/<slug>")
@public_page
def farm_page(slug: str):
    farm = db.session.scalar(
        select(Farm)
        .where(Farm.slug == slug)
        .options(
            selectinload(Farm.photos),
            selectinload(Farm.certifications),
            selectinload(Farm.growing_areas),
            selectinload(Farm.members),
        )
    )
    if farm is None or (farm.is_suspended and not can_manage(current_user, farm)):
        abort(404)
    return render_template(
        "farms/farm_page.html", farm=farm, products=farm_products(farm), today=local_today()
    )
