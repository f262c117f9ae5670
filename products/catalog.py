"""The storefront's catalog: search that ignores Vietnamese accents (on the database's
full-text index, products.search_index), filters, sorting and pages, in a fixed number of
SQL statements whatever the page shows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.extensions import db
from app.geo import fold_accents
from farms.models import Certification, Farm
from products.models import OcopCertificate, Product, ProductStatus
from products.search_index import TextMatch, text_match, typo_match
from products.seasons import in_season_clause, preorder_open_clause

PER_PAGE = 24
COUNT_LIMIT = 1000
SORTS = ("relevance", "newest", "price_asc", "price_desc")
AVAILABILITY = ("in_season", "preorder")


@dataclass
class CatalogQuery:
    text: str = ""
    category: str | None = None
    province_code: str | None = None
    min_stars: int | None = None
    certification: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    availability: str | None = None
    sort: str = "relevance"
    page: int = 1

    @property
    def terms(self) -> list[str]:
        # fold_accents leaves only [a-z0-9 ], so no LIKE wildcard can reach the query.
        return fold_accents(self.text).split()[:8]


@dataclass
class CatalogPage:
    items: list[Product]
    total: int
    page: int
    per_page: int = PER_PAGE
    #: More results than COUNT_LIMIT matched; `total` stops there.
    more: bool = False
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.per_page))


def sellable_products() -> Select:
    """Published products of farms that are not suspended, and not stopped by a recall.

    A recalled product leaves every list (catalog, search, home page, farm page); its own
    page stays reachable so that buyers holding it can read the recall notice.
    """
    return (
        select(Product)
        .join(Product.farm)
        .where(
            Product.status == ProductStatus.PUBLISHED,
            Farm.suspended_at.is_(None),
            Product.sale_stopped_at.is_(None),
        )
    )


def _valid_ocop(today: date, min_stars: int):
    return exists().where(
        OcopCertificate.product_id == Product.id,
        OcopCertificate.verified_at.is_not(None),
        OcopCertificate.expires_on >= today,
        OcopCertificate.stars >= min_stars,
    )


def _valid_certification(today: date, scheme: str):
    return exists().where(
        Certification.farm_id == Product.farm_id,
        Certification.scheme == scheme,
        Certification.verified_at.is_not(None),
        Certification.expires_on >= today,
    )


def _filtered(query: CatalogQuery, today: date, match: TextMatch | None) -> Select:
    statement = sellable_products()
    if match is not None:
        statement = match.apply(statement)
    if query.category:
        statement = statement.where(Product.category == query.category)
    if query.province_code:
        statement = statement.where(Farm.province_code == query.province_code)
    if query.min_stars:
        statement = statement.where(_valid_ocop(today, query.min_stars))
    if query.certification:
        statement = statement.where(_valid_certification(today, query.certification))
    if query.price_min is not None:
        statement = statement.where(Product.price_from_vnd >= query.price_min)
    if query.price_max is not None:
        statement = statement.where(Product.price_from_vnd <= query.price_max)
    if query.availability == "in_season":
        statement = statement.where(in_season_clause(today))
    elif query.availability == "preorder":
        statement = statement.where(preorder_open_clause(today))
    return statement


def _ordering(query: CatalogQuery, match: TextMatch | None) -> list:
    newest = [Product.published_at.desc(), Product.id.desc()]
    if query.sort == "price_asc":
        return [Product.price_from_vnd.asc(), *newest]
    if query.sort == "price_desc":
        return [Product.price_from_vnd.desc(), *newest]
    if query.sort == "newest" or match is None:
        return newest
    # Relevance: the whole phrase in the name first ("vai thieu" before "gioi thieu"), then
    # names holding every term, then the database's own rank (products.search_index).
    return [*match.ordering(), *newest]


def _count(filtered: Select) -> int:
    # Counting stops past COUNT_LIMIT: nobody pages through a thousand results, and an exact
    # count of a broad search would cost more than the page itself.
    counted = filtered.order_by(None).with_only_columns(Product.id).limit(COUNT_LIMIT + 1)
    return db.session.scalar(select(func.count()).select_from(counted.subquery()))


def search_catalog(query: CatalogQuery, today: date, per_page: int = PER_PAGE) -> CatalogPage:
    match = text_match(query.terms) if query.terms else None
    filtered = _filtered(query, today, match)
    total = _count(filtered)
    if not total and match is not None:
        # Nothing found: perhaps a typing mistake ("vai thiue").
        match = typo_match(query.terms)
        if match is not None:
            filtered = _filtered(query, today, match)
            total = _count(filtered)
    page = min(max(query.page, 1), max(1, math.ceil(min(total, COUNT_LIMIT) / per_page)))
    # Rank narrow rows (ids only), then load just the page's products: sorting thousands of
    # matches with every column attached is what made broad searches slow.
    ranked = (
        filtered.with_only_columns(Product.id)
        .order_by(*_ordering(query, match))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    ids = list(db.session.scalars(ranked))
    loaded = db.session.scalars(
        select(Product)
        .where(Product.id.in_(ids))
        .options(joinedload(Product.farm), selectinload(Product.photos), selectinload(Product.ocop))
    ).unique()
    by_id = {product.id: product for product in loaded}
    items = [by_id[product_id] for product_id in ids]
    return CatalogPage(
        items=items,
        total=min(total, COUNT_LIMIT),
        page=page,
        per_page=per_page,
        more=total > COUNT_LIMIT,
    )


def list_products(statement: Select, limit: int) -> list[Product]:
    """A short list for the home and farm pages, loaded like the catalog's."""
    return list(
        db.session.scalars(
            statement.options(
                contains_eager(Product.farm),
                selectinload(Product.photos),
                selectinload(Product.ocop),
            ).limit(limit)
        ).unique()
    )


def in_season_now(today: date, limit: int = 8) -> list[Product]:
    statement = (
        sellable_products()
        .where(Product.season_start.is_not(None), in_season_clause(today))
        .order_by(Product.published_at.desc())
    )
    return list_products(statement, limit)


def ocop_products(today: date, limit: int = 8) -> list[Product]:
    statement = (
        sellable_products().where(_valid_ocop(today, 3)).order_by(Product.published_at.desc())
    )
    return list_products(statement, limit)


def farm_products(farm: Farm, limit: int = 60) -> list[Product]:
    statement = (
        sellable_products().where(Product.farm_id == farm.id).order_by(Product.published_at.desc())
    )
    return list_products(statement, limit)
