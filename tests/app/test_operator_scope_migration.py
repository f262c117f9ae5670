"""The migration that gives operators a scope: operators written before it stay country-wide,
and it goes down and up again with them in the table."""

from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import make_test_app

REVISION = "5e7a0c3d9f21"
PREVIOUS = "392fafc21d09"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _write_accounts_as_before(connection) -> None:
    user = sa.table(
        "user_account",
        *(sa.column(n) for n in ("id", "full_name", "phone", "password_hash", "role")),
        *(sa.column(n) for n in ("preferred_language", "session_token", "active", "created_at")),
    )
    for row_id, role in enumerate(("operator", "farmer", "operator"), start=1):
        connection.execute(
            user.insert().values(
                id=row_id,
                full_name=f"Người {row_id}",
                phone=f"+8491200010{row_id}",
                password_hash="x",
                role=role,
                preferred_language="vi",
                session_token=f"t{row_id}",
                active=True,
                created_at=NOW,
            )
        )


def _scopes(connection) -> list[tuple]:
    statement = sa.text("SELECT id, role, operator_province_code FROM user_account ORDER BY id")
    return [tuple(row) for row in connection.execute(statement)]


def test_existing_operators_stay_country_wide_down_and_up(backend, database_factory, tmp_path):
    app = make_test_app(database_factory(backend, "operator_scope"), str(tmp_path))
    with app.app_context():
        # Given operators and a farmer written before the migration
        flask_migrate.upgrade(revision=PREVIOUS)
        with db.engine.begin() as connection:
            _write_accounts_as_before(connection)
        # When it runs, then every account is there and no operator is limited to a province
        flask_migrate.upgrade(revision=REVISION)
        with db.engine.connect() as connection:
            assert _scopes(connection) == [
                (1, "operator", None),
                (2, "farmer", None),
                (3, "operator", None),
            ]
        # A province operator, and the database refuses a scope on a farmer
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE user_account SET operator_province_code = '31' WHERE id = 3")
            )
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE user_account SET operator_province_code = '31' WHERE id = 2")
            )
        # Down and up again: the accounts survive, the scopes are gone then country-wide
        flask_migrate.downgrade(revision=PREVIOUS)
        with db.engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM user_account")).scalar()
            assert count == 3
            assert "operator_scope_change" not in sa.inspect(connection).get_table_names()
        flask_migrate.upgrade(revision=REVISION)
        with db.engine.connect() as connection:
            assert [scope for _, _, scope in _scopes(connection)] == [None, None, None]
        db.engine.dispose()
