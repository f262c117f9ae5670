"""The schema changes only through migrations, and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from app.db import MIGRATION_ONLY_TABLE_PREFIX, include_in_schema_compare
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
        # SQLite's full-text index (an FTS5 table and its shadow tables) has no model.
        tables = {t for t in tables if not t.startswith(MIGRATION_ONLY_TABLE_PREFIX)}
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


def test_the_migrations_of_this_release_go_down_and_up_again(backend, database_factory, tmp_path):
    # Given a database at the head (issue 12 added tables and columns to tables others point
    # at, which SQLite changes by copying the table)
    import flask_migrate

    # with an account and an address pointing at it
    from app.auth.models import Address
    from tests.app.factories import make_user

    app = _fresh_app(backend, database_factory, tmp_path, "migrate_down_up")
    upgrade_schema(app)
    with app.app_context():
        user = make_user()
        user.addresses.append(
            Address(
                recipient_name="Lan",
                phone="+84912000111",
                province_code="01",
                commune="Phường Hoàn Kiếm",
                street="1 Hàng Bạc",
            )
        )
        db.session.commit()
        db.session.remove()
        # When the release is taken back and applied again, then both ways work
        flask_migrate.downgrade(revision="f08c5016128a")
        assert "outbound_message" not in inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "outbound_message" in inspect(db.engine).get_table_names()
        assert db.session.scalar(select(func.count()).select_from(Address)) == 1
        db.session.remove()
        db.engine.dispose()
