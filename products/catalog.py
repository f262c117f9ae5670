"""The storefront's catalog: search that ignores Vietnamese accents (on the database's
full-text index, products.search_index), filters, sorting and pages, in a fixed number of
SQL statements whatever the page shows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, exists, func, literal, not_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.extensions import db
from app.geo import fold_accents
from farms.models import Certification, Farm
from products.models import OcopCertificate, Product, ProductStatus
from products.search_index import TextMatch, text_match, typo_match
from products.search_query import NEWEST
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


def _searchable_products(province_code: str | None) -> Select:
    """sellable_products() for the catalog, the farm asked about in a subquery rather than
    joined: a search's row estimates are rough, and PostgreSQL, planning a join for one row,
    read the whole farm table once per match. OFFSET 0 keeps the subquery a subquery (not
    turned back into that join): one primary-key lookup per row, whatever the estimate."""
    farm = [Farm.id == Product.farm_id, Farm.suspended_at.is_(None)]
    if province_code:
        farm.append(Farm.province_code == province_code)
    return select(Product).where(
        Product.status == ProductStatus.PUBLISHED,
        Product.sale_stopped_at.is_(None),
        exists(select(literal(1)).where(*farm).offset(0)),
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
    statement = _searchable_products(query.province_code)
    if match is not None:
        statement = match.apply(statement)
    return _filters(statement, query, today)


def _filters(statement: Select, query: CatalogQuery, today: date) -> Select:
    if query.category:
        statement = statement.where(Product.category == query.category)
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


def _ordering(query: CatalogQuery) -> list:
    if query.sort == "price_asc":
        return [Product.price_from_vnd.asc(), *NEWEST]
    if query.sort == "price_desc":
        return [Product.price_from_vnd.desc(), *NEWEST]
    return list(NEWEST)


def _count(filtered: Select, limit: int = COUNT_LIMIT + 1) -> int:
    # Counting stops past COUNT_LIMIT: nobody pages through a thousand results, and an exact
    # count of a broad search would cost more than the page itself.
    counted = filtered.order_by(None).with_only_columns(Product.id).limit(limit)
    return db.session.scalar(select(func.count()).select_from(counted.subquery()))


def _ids(statement: Select, order: list, offset: int, limit: int) -> list[int]:
    ranked = statement.with_only_columns(Product.id).order_by(*order)
    return list(db.session.scalars(ranked.limit(limit).offset(offset)))


#: How many of the newest products a broad search's tier reads first, in order, before it
#: asks its index (see _walked_ids).
WALK = 2000


def _walked_ids(tier: Select, offset: int, limit: int) -> list[int] | None:
    """The page of a tier ordered newest first, from the WALK newest products, tested one by
    one down the newest-first index; None when they hold too few. A broad search's tier
    (thousands of "Vải thiều …") fills its page within a few hundred rows this way, where
    its index would hand over every match to be sorted; and the planner, whose estimates for
    phrases are rough, would not choose the walk by itself."""
    newest = (
        select(Product.id, Product.published_at, tier.whereclause.label("hit"))
        .where(Product.status == ProductStatus.PUBLISHED)
        .order_by(*NEWEST)
        .limit(WALK)
        .subquery("newest")
    )
    found = list(
        db.session.scalars(
            select(newest.c.id)
            .where(newest.c.hit)
            .order_by(newest.c.published_at.desc(), newest.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    return found if len(found) == limit else None


def _ranked_ids(
    query: CatalogQuery, today: date, match: TextMatch, offset: int, limit: int, broad: bool
) -> list[int]:
    """The page of a search by relevance: the match's tiers best first (products.search_index),
    each in its own order. Each tier is asked only for the rows the page still needs, so a
    broad search reads a few dozen rows of its best tier, not thousands of matches."""
    ids: list[int] = []
    better = None
    for condition, order in match.tiers():
        if condition is None:
            tier = _filtered(query, today, match)
        else:
            # A tier's condition holds the match: one index condition, not two.
            tier = _filters(
                _searchable_products(query.province_code).where(condition), query, today
            )
        if better is not None:
            # Tiers are nested: each holds the one before.
            tier = tier.where(not_(better))
        better = condition
        found = None
        if broad and match.walkable and order is NEWEST and offset + limit <= WALK:
            found = _walked_ids(tier, offset, limit - len(ids))
        if found is None:
            found = _ids(tier, order, offset, limit - len(ids))
        if not found and offset:
            # The page starts past this tier: skip its rows.
            offset -= _count(tier, offset)
            continue
        ids += found
        offset = 0
        if len(ids) == limit:
            break
    return ids


def _count_matches(query: CatalogQuery, today: date, match: TextMatch | None) -> int:
    narrower = match.narrower() if match is not None else None
    if narrower is not None:
        # "Vải thiều" in a thousand names: no need to look through every description.
        found = _count(
            _filters(_searchable_products(query.province_code).where(narrower), query, today)
        )
        if found > COUNT_LIMIT:
            return found
    return _count(_filtered(query, today, match))


def search_catalog(query: CatalogQuery, today: date, per_page: int = PER_PAGE) -> CatalogPage:
    match = text_match(query.terms) if query.terms else None
    filtered = _filtered(query, today, match)
    total = _count_matches(query, today, match)
    if not total and match is not None:
        # Nothing found: perhaps a typing mistake ("vai thiue").
        match = typo_match(query.terms)
        if match is not None:
            filtered = _filtered(query, today, match)
            total = _count(filtered)
    page = min(max(query.page, 1), max(1, math.ceil(min(total, COUNT_LIMIT) / per_page)))
    # Rank narrow rows (ids only), then load just the page's products: sorting thousands of
    # matches with every column attached is what made broad searches slow.
    offset = (page - 1) * per_page
    broad = total > COUNT_LIMIT
    ids = None
    if match is not None and query.sort == "relevance":
        ids = _ranked_ids(query, today, match, offset, per_page, broad)
    elif (
        match is not None
        and match.walkable
        and broad
        and query.sort == "newest"
        and offset + per_page <= WALK
    ):
        ids = _walked_ids(filtered, offset, per_page)
    if ids is None:
        ids = _ids(filtered, _ordering(query), offset, per_page)
    loaded = db.session.scalars(
        select(Product)
        .where(Product.id.in_(ids))
        .options(
            joinedload(Product.farm),
            selectinload(Product.photos),
            selectinload(Product.ocop),
            joinedload(Product.variants),  # a card says when it is sold by weight
        )
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
                joinedload(Product.variants),  # a card says when it is sold by weight
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
