"""The schema changes only through migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.db import include_in_schema_compare
from app.extensions import db
from tests.conftest import make_test_app
from tests.support.database import upgrade_schema


def _fresh_app(backend, database_factory, tmp_path, name):
    return make_test_app(database_factory(backend, name), str(tmp_path))


def test_upgrade_from_empty_builds_every_table(backend, database_factory, tmp_path):
    app = _fresh_app(backend, database_factory, tmp_path, "migrate_from_empty")
    upgrade_schema(app)
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"user_account", "address", "farm", "product", "variant", "alembic_version"} <= tables
    assert tables - {"alembic_version"} == set(db.metadata.tables)


def test_models_and_migrations_agree(backend, database_factory, tmp_path):
    app = _fresh_app(backend, database_factory, tmp_path, "migrate_compare")
    upgrade_schema(app)
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": include_in_schema_compare,
            },
        )
        differences = compare_metadata(context, db.metadata)
    with app.app_context():
        db.engine.dispose()
    assert differences == []
