"""seed-scale: a large synthetic catalog stored in bulk, with the columns the services keep."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.clock import local_today
from app.extensions import db
from app.geo import all_provinces, fold_accents
from bench.seeding import seed_scale, seed_scale_command
from farms.models import Farm
from farms.readiness import missing_to_sell
from products.catalog import CatalogQuery, search_catalog
from products.models import Product
from products.services import refresh_search_fields


def _products() -> list[Product]:
    statement = (
        select(Product)
        .options(selectinload(Product.variants), selectinload(Product.farm))
        .order_by(Product.id)
    )
    return list(db.session.scalars(statement))


def test_seed_scale_creates_published_products_with_variants(app):
    assert seed_scale(3, 40) == (3, 40)

    products = _products()
    assert db.session.scalar(select(func.count(Farm.id))) == 3
    assert len(products) == 40 and len({p.slug for p in products}) == 40
    assert all(p.is_published and p.published_at.tzinfo is not None for p in products)
    assert all(1 <= len(p.variants) <= 3 for p in products)
    assert all(v.price_vnd % 1000 == 0 for p in products for v in p.variants)


def test_every_seeded_farm_can_take_an_order(app):
    seed_scale(3, 10)

    assert all(missing_to_sell(farm) == [] for farm in db.session.scalars(select(Farm)))


def test_seeded_products_carry_the_columns_the_services_keep(app):
    seed_scale(3, 40)

    for product in _products():
        assert product.price_from_vnd == min(v.price_vnd for v in product.variants)
        assert product.search_name == fold_accents(product.name)
        stored = product.search_text
        refresh_search_fields(product)
        assert product.search_text == stored


def test_catalog_search_finds_a_seeded_product_by_its_unaccented_name(app):
    seed_scale(3, 40)
    product = _products()[0]
    assert product.search_name.isascii() and product.search_name != product.name.lower()

    page = search_catalog(CatalogQuery(text=product.search_name), local_today(), per_page=100)

    assert product in page.items


def test_the_same_seed_gives_the_same_catalog_under_new_slugs(app):
    seed_scale(3, 20)
    seed_scale(3, 20)

    products = _products()
    assert [p.name for p in products[:20]] == [p.name for p in products[20:]]
    assert len({p.slug for p in products}) == 40
    assert len(set(db.session.scalars(select(Farm.slug)))) == 6


def test_farms_cover_every_province(app):
    seed_scale(34, 34)

    codes = set(db.session.scalars(select(Farm.province_code)))
    assert codes == {p.code for p in all_provinces()}


def test_seed_scale_command_prints_the_counts(app):
    result = app.test_cli_runner().invoke(
        seed_scale_command, args=["--farms", "2", "--products", "10"]
    )

    assert result.exit_code == 0, result.output
    assert "Seeded 2 farm(s) and 10 product(s)." in result.output
    assert db.session.scalar(select(func.count(Product.id))) == 10


def test_seed_scale_refuses_production(app):
    app.config["NONGSAN_ENV"] = "production"
    try:
        result = app.test_cli_runner().invoke(seed_scale_command, args=["--products", "5"])
    finally:
        app.config["NONGSAN_ENV"] = "development"
    assert result.exit_code != 0 and db.session.scalar(select(func.count(Farm.id))) == 0


def test_healthz_says_ok_and_is_never_cached(client):
    response = client.get("/healthz")

    assert (response.status_code, response.text, response.mimetype) == (200, "ok", "text/plain")
    assert response.headers["Cache-Control"] == "no-store"
