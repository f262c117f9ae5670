"""The migration 5e7a1c0d9b42 indexes the products already there, and goes down cleanly."""

from __future__ import annotations

import flask_migrate
from sqlalchemy import func, inspect, select, text

from app.clock import local_today
from app.extensions import db
from products.catalog import CatalogQuery, search_catalog
from products.models import Product
from tests.conftest import make_test_app
from tests.products.factories import make_product

BEFORE = "5e7a0c3d9f21"


def _names(typed: str) -> list[str]:
    return [p.name for p in search_catalog(CatalogQuery(text=typed), local_today()).items]


def _search_objects() -> set[str]:
    inspector = inspect(db.engine)
    tables = {t for t in inspector.get_table_names() if t.startswith("product_search")}
    columns = {c["name"] for c in inspector.get_columns("product")} & {
        "search_vector",
        "name_vector",
    }
    triggers = set()
    if db.engine.dialect.name == "sqlite":
        triggers = set(
            db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        ) & {"product_search_insert", "product_search_update", "product_search_delete"}
    return tables | columns | triggers


def test_existing_products_are_indexed_and_the_index_goes_down(backend, database_factory, tmp_path):
    app = make_test_app(database_factory(backend, "search_migration"), str(tmp_path))
    with app.app_context():
        # Given products stored before the full-text index existed: written through today's
        # models, then the schema taken back below the index (the rows stay), since the
        # models may not write into an older schema
        flask_migrate.upgrade()
        make_product(name="Vải thiều Thanh Hà", description="Hái sáng sớm.")
        make_product(name="Đậu phộng Đắk Lắk")
        db.session.commit()
        db.session.remove()
        flask_migrate.downgrade(revision=BEFORE)
        assert _search_objects() == set()
        db.session.remove()

        # When the migration runs, then they are found by the new index
        flask_migrate.upgrade()
        assert _search_objects()
        assert _names("thieu") == ["Vải thiều Thanh Hà"]
        assert _names("dak lak") == ["Đậu phộng Đắk Lắk"]
        assert _names("vai thiue") == ["Vải thiều Thanh Hà"]
        db.session.remove()

        # And taken back, the index and its triggers go, the products stay
        flask_migrate.downgrade(revision=BEFORE)
        assert _search_objects() == set()
        assert db.session.scalar(select(func.count()).select_from(Product)) == 2
        db.session.remove()
        flask_migrate.upgrade()
        assert _names("vai thieu") == ["Vải thiều Thanh Hà"]
        db.session.remove()
        db.engine.dispose()
