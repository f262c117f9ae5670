"""Products: listing produce, its variants, season, OCOP certificate and photos, and
publishing it. Every function checks that the actor may manage the product's farm."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from biip import ParseError
from biip.gtin import Gtin, GtinFormat
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.auth.models import User
from app.auth.roles import Role, ensure_role
from app.clock import local_today
from app.db import utcnow
from app.errors import DomainError, get_or_not_found
from app.extensions import db
from app.geo import fold_accents
from app.photo_gallery import add_photo, remove_photo
from app.validation import (
    clean_paragraphs,
    clean_text,
    parse_decimal,
    parse_vnd,
    parse_whole_number,
    read_id,
    read_whole_number,
    slugify,
)
from app.verification import stamp_verified
from farms.models import Farm
from farms.permissions import ensure_can_manage, ensure_operator_covers, in_operator_scope
from farms.readiness import missing_to_sell
from products.models import (
    Category,
    OcopCertificate,
    Product,
    ProductPhoto,
    ProductStatus,
    Unit,
    Variant,
)
from products.seasons import is_valid_month_day
from products.units import PACKED_UNITS
from products.weighed import ensure_piece_price_kept, weighed_fields

MAX_PRODUCT_PHOTOS = 8
OCOP_VALIDITY = relativedelta(months=36)
#: Longer than any OCOP decision runs: an end date past it is a typing mistake (31/12/9999).
OCOP_LONGEST = relativedelta(years=5)


def normalize_gtin(text: str | None) -> str | None:
    """A GTIN-13 or GTIN-14 with a valid check digit, stored as GTIN-14; empty is None."""
    digits = "".join((text or "").split())
    if not digits:
        return None
    try:
        gtin = Gtin.parse(digits)
    except ParseError as exc:
        raise DomainError(
            _l("This GTIN is not valid: check the 13 or 14 digits under the barcode."),
            field="gtin",
        ) from exc
    if gtin.format not in (GtinFormat.GTIN_13, GtinFormat.GTIN_14) or len(digits) not in (13, 14):
        raise DomainError(_l("Enter a 13- or 14-digit GTIN (EAN-13)."), field="gtin")
    return gtin.as_gtin_14()


def _unique_product_slug(name: str, farm: Farm) -> str:
    base = slugify(name)
    taken = set(db.session.scalars(select(Product.slug).where(Product.slug.like(f"{base}%"))))
    for candidate in (base, f"{base}-{slugify(farm.name, 30)}"):
        if candidate not in taken:
            return candidate
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _parse_month_day(value: str | None, field: str) -> int | None:
    """ "1/6" or "01/06" (day/month, as written in Vietnam) -> 601."""
    text = (value or "").strip()
    if not text:
        return None
    parts = text.replace("-", "/").replace(".", "/").split("/")
    day, month = (read_whole_number(p) for p in parts) if len(parts) == 2 else (None, None)
    if day is not None and month is not None and 1 <= day <= 31 and 1 <= month <= 12:
        packed = month * 100 + day
        if is_valid_month_day(packed):
            return packed
    raise DomainError(_l("Write the day and month as day/month, e.g. 1/6."), field=field)


def _apply_details(
    product: Product,
    farm: Farm,
    *,
    name,
    category,
    description,
    gtin,
    growing_area_id,
    season_start,
    season_end,
    preorder_enabled,
    preorder_ships_on,
    preorder_capacity,
    english_name=None,
) -> None:
    # Every field is checked before the product is touched: a refusal leaves it as it was.
    checked = {"name": clean_text(name, "name", 160, _l("the product's name"))}
    # None (a CSV import, which has no such column) leaves the English name as it was.
    if english_name is not None:
        checked["english_name"] = clean_text(
            english_name, "english_name", 160, _l("the English name"), required=False
        )
    if category not in set(Category):
        raise DomainError(_l("Choose one of the options."), field="category")
    checked["category"] = category
    checked["description"] = clean_paragraphs(
        description, "description", 10000, _l("the description")
    )
    checked["gtin"] = normalize_gtin(gtin)
    checked["growing_area_id"] = None
    if growing_area_id:
        area_id = read_id(growing_area_id)
        if area_id not in {a.id for a in farm.growing_areas}:
            raise DomainError(
                _l("Choose one of this farm's growing areas."), field="growing_area_id"
            )
        checked["growing_area_id"] = area_id
    start = _parse_month_day(season_start, "season_start")
    end = _parse_month_day(season_end, "season_end")
    if (start is None) != (end is None):
        raise DomainError(
            _l("Give both the first and the last day of the season, or neither."),
            field="season_end",
        )
    checked["season_start"], checked["season_end"] = start, end
    checked["preorder_enabled"] = bool(preorder_enabled)
    checked["preorder_ships_on"], checked["preorder_capacity"] = None, 0
    if checked["preorder_enabled"]:
        if start is None:
            raise DomainError(_l("Pre-orders need a harvest season."), field="preorder_enabled")
        if preorder_ships_on is None or preorder_ships_on < local_today():
            raise DomainError(
                _l("Give the expected shipping date, today or later."), field="preorder_ships_on"
            )
        checked["preorder_ships_on"] = preorder_ships_on
        checked["preorder_capacity"] = parse_whole_number(
            preorder_capacity, "preorder_capacity", _l("the pre-order capacity"), minimum=1
        )
    for key, value in checked.items():
        setattr(product, key, value)


#: The length of Product.search_name.
SEARCH_NAME_LENGTH = 400


def refresh_search_fields(product: Product) -> None:
    """Keep the accent-free copies that search reads in step with what people see."""
    farm = product.farm
    # The English name counts as the name: "lychee" ranks a product called so first.
    # Cut to its column: folding can lengthen a name ("㎉" folds to "kcal").
    product.search_name = fold_accents(f"{product.name} {product.english_name or ''}")[
        :SEARCH_NAME_LENGTH
    ]
    extra = [
        product.description,
        farm.name if farm else "",
        farm.province_name if farm else "",
        farm.commune if farm else "",
        product.growing_area.name if product.growing_area else "",
    ]
    product.search_text = fold_accents(" ".join(extra))


def _refresh_price(product: Product) -> None:
    prices = [v.price_vnd for v in product.variants]
    product.price_from_vnd = min(prices) if prices else None


def create_product(farm: Farm, actor: User, **details) -> Product:
    """A new product starts as a draft; it is published once it has variants."""
    ensure_can_manage(actor, farm)
    product = Product(farm=farm, status=ProductStatus.DRAFT.value)
    _apply_details(product, farm, **details)
    product.slug = _unique_product_slug(product.name, farm)
    db.session.add(product)
    db.session.flush()
    refresh_search_fields(product)
    db.session.flush()
    return product


def update_product(product: Product, actor: User, **details) -> Product:
    ensure_can_manage(actor, product.farm)
    _apply_details(product, product.farm, **details)
    db.session.flush()
    refresh_search_fields(product)
    db.session.flush()
    return product


def publish_product(product: Product, actor: User) -> None:
    ensure_can_manage(actor, product.farm)
    if not product.variants:
        raise DomainError(_l("Add at least one variant (unit and price) before publishing."))
    # Buyers would otherwise see a 0 ₫ total and a checkout that cannot go through.
    if missing := missing_to_sell(product.farm):
        raise DomainError(
            _l(
                "Your farm cannot take an order yet: %(missing)s",
                missing=" ".join(str(item.message) for item in missing),
            )
        )
    product.status = ProductStatus.PUBLISHED.value
    product.published_at = product.published_at or utcnow()
    db.session.flush()


def hide_product(product: Product, actor: User) -> None:
    ensure_can_manage(actor, product.farm)
    product.status = ProductStatus.HIDDEN.value
    db.session.flush()


# Variants -------------------------------------------------------------------------------


def apply_variant_fields(
    variant: Variant,
    *,
    unit,
    pack_kg,
    custom_unit,
    price_vnd,
    weight_grams,
    stock,
    min_order_qty,
    sold_by_weight: bool | None = None,
    price_per_kg_vnd=None,
) -> None:
    """Check and set what a variant is sold as; the CSV import reuses it to check rows.
    Every value is checked before the variant is touched: a refusal leaves it as it was.

    Weighed goods (orders.weighed): sold_by_weight None keeps the variant's way of selling
    (callers that do not know of it: the CSV, the API); a weighed variant's price is then
    its estimated piece price, computed from its price per kg and weight."""
    if unit not in set(Unit):
        raise DomainError(_l("Choose one of the options."), field="unit")
    checked = {
        "unit": unit,
        "custom_unit": (
            clean_text(custom_unit, "custom_unit", 40, _l("the unit's name"))
            if unit == Unit.CUSTOM
            else None
        ),
        "pack_kg": (
            parse_decimal(
                pack_kg,
                "pack_kg",
                _l("the weight in one pack"),
                minimum=Decimal("0.01"),
                maximum=Decimal(1000),
            )
            if unit in PACKED_UNITS and pack_kg not in (None, "")
            else None
        ),
        # Sold by weight, the price per kg sets the price (products.weighed): none needed.
        "price_vnd": None
        if sold_by_weight and price_vnd in (None, "")
        else parse_vnd(price_vnd, "price_vnd", _l("the price")),
        "weight_grams": parse_whole_number(
            weight_grams, "weight_grams", _l("the shipping weight"), minimum=1, maximum=100_000
        ),
        "stock": parse_whole_number(stock, "stock", _l("the stock"), minimum=0),
        "min_order_qty": parse_whole_number(
            min_order_qty, "min_order_qty", _l("the minimum quantity"), minimum=1, maximum=10_000
        ),
    }
    checked.update(
        weighed_fields(
            variant,
            sold_by_weight=sold_by_weight,
            price_per_kg_vnd=price_per_kg_vnd,
            price_vnd=checked["price_vnd"],
            weight_grams=checked["weight_grams"],
        )
    )
    for key, value in checked.items():
        setattr(variant, key, value)


def add_variant(product: Product, actor: User, **fields) -> Variant:
    ensure_can_manage(actor, product.farm)
    variant = Variant(position=len(product.variants))
    apply_variant_fields(variant, **fields)
    product.variants.append(variant)
    _refresh_price(product)
    db.session.flush()
    return variant


def update_variant(variant: Variant, actor: User, **fields) -> Variant:
    ensure_can_manage(actor, variant.product.farm)
    apply_variant_fields(variant, **fields)
    _refresh_price(variant.product)
    db.session.flush()
    return variant


def set_stock_and_price(variant: Variant, actor: User, *, stock, price_vnd) -> Variant:
    """The bulk-edit form's change to one variant."""
    ensure_can_manage(actor, variant.product.farm)
    # Both checked before either is written: a refusal leaves the variant as it was.
    new_stock = parse_whole_number(stock, "stock", _l("the stock"), minimum=0)
    new_price = parse_vnd(price_vnd, "price_vnd", _l("the price"))
    ensure_piece_price_kept(variant, new_price)  # weighed goods: priced per kg
    variant.price_vnd = new_price
    variant.stock = new_stock
    _refresh_price(variant.product)
    db.session.flush()
    return variant


def remove_variant(variant: Variant, actor: User) -> None:
    product = variant.product
    ensure_can_manage(actor, product.farm)
    if product.is_published and len(product.variants) == 1:
        raise DomainError(_l("A published product keeps at least one variant."))
    product.variants.remove(variant)
    _refresh_price(product)
    db.session.flush()


# OCOP -----------------------------------------------------------------------------------


def set_ocop(
    product: Product,
    actor: User,
    *,
    stars,
    decision_number: str,
    decision_date: date,
    expires_on: date | None = None,
) -> OcopCertificate:
    """Record an OCOP decision; it waits for an operator's check again after any change."""
    ensure_can_manage(actor, product.farm)
    stars = read_whole_number(stars)
    if stars not in (3, 4, 5):
        raise DomainError(_l("OCOP ratings have 3, 4 or 5 stars."), field="stars")
    if decision_date > local_today():
        raise DomainError(_l("The decision date cannot be in the future."), field="decision_date")
    expiry = expires_on or decision_date + OCOP_VALIDITY
    if expiry <= decision_date:
        raise DomainError(_l("The end date must be after the start date."), field="expires_on")
    if expiry > decision_date + OCOP_LONGEST:
        raise DomainError(
            _l("The end date cannot be more than 5 years after the decision date."),
            field="expires_on",
        )
    # Checked before the certificate is touched: a refusal leaves it (and its check) as it was.
    number = clean_text(decision_number, "decision_number", 80, _l("the decision number"))
    certificate = product.ocop or OcopCertificate(product=product)
    certificate.stars = stars
    certificate.level = "ministry" if stars == 5 else "province"
    certificate.decision_number = number
    certificate.decision_date = decision_date
    certificate.expires_on = expiry
    certificate.verified_at = None
    certificate.verified_by_id = None
    db.session.add(certificate)
    db.session.flush()
    return certificate


def ocop_certificates_for_operator(operator: User) -> list[OcopCertificate]:
    """OCOP decisions of the operator's scope (the farm's province), unverified first."""
    ensure_role(operator, Role.OPERATOR)
    return list(
        db.session.scalars(
            select(OcopCertificate)
            .join(OcopCertificate.product)
            .join(Product.farm)
            .where(in_operator_scope(operator))
            .options(contains_eager(OcopCertificate.product).contains_eager(Product.farm))
            .order_by(
                OcopCertificate.verified_at.is_not(None), OcopCertificate.decision_date.desc()
            )
        )
    )


def verify_ocop(certificate: OcopCertificate, operator: User) -> None:
    ensure_operator_covers(operator, certificate.product.farm)
    stamp_verified(certificate, operator)


# Photos ---------------------------------------------------------------------------------


def add_product_photo(product: Product, actor: User, data: bytes) -> ProductPhoto:
    ensure_can_manage(actor, product.farm)
    too_many = _l("A product can show at most %(n)d photos.", n=MAX_PRODUCT_PHOTOS)
    return add_photo(
        product.photos,
        ProductPhoto,
        data,
        kind="products",
        limit=MAX_PRODUCT_PHOTOS,
        too_many=too_many,
    )


def remove_product_photo(photo: ProductPhoto, actor: User) -> None:
    ensure_can_manage(actor, photo.product.farm)
    remove_photo(photo.product.photos, photo)


def get_product_for(actor: User, product_id: int) -> Product:
    product = get_or_not_found(Product, product_id)
    ensure_can_manage(actor, product.farm)
    return product
