"""The migration that gives addresses and checkouts their commune's official code, run on
rows written before it: a commune the text names gets its code, the others are flagged."""

from datetime import UTC, datetime

import flask_migrate
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from app.extensions import db
from tests.conftest import make_test_app

REVISION = "a3c5e7d21f40"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
#: (province, commune as people typed it) -> the code the migration should give, or None.
WRITTEN = [
    ("01", "phường Hoàn Kiếm", "00070"),
    ("01", "Phuong Ba Dinh", "00004"),
    ("31", "Thanh Hà", "10813"),
    ("19", "xã Tân Cương", "05503"),
    ("31", "phường Hoàn Kiếm", None),  # a ward of another province
    ("19", "van lang", None),  # Văn Lang or Văn Lăng: the person chooses
    ("08", "thôn Nà Tằm", None),  # a hamlet, not a commune
]


def _previous_revision() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


def _write_rows_as_before(connection) -> None:
    user = sa.table(
        "user_account",
        *(sa.column(n) for n in ("id", "full_name", "phone", "password_hash", "role")),
        *(sa.column(n) for n in ("preferred_language", "session_token", "active", "created_at")),
    )
    connection.execute(
        user.insert().values(
            id=1,
            full_name="Lê Minh Anh",
            phone="+84987654321",
            password_hash="x",
            role="buyer",
            preferred_language="vi",
            session_token="t",
            active=True,
            created_at=NOW,
        )
    )
    address = sa.table(
        "address",
        *(sa.column(n) for n in ("id", "user_id", "recipient_name", "phone", "province_code")),
        *(sa.column(n) for n in ("commune", "street", "is_default", "created_at")),
    )
    checkout = sa.table(
        "checkout",
        *(sa.column(n) for n in ("id", "access_token", "contact_name", "contact_phone")),
        *(sa.column(n) for n in ("province_code", "commune", "street", "payment_method")),
        *(sa.column(n) for n in ("language", "created_at")),
    )
    for row_id, (province, commune, _) in enumerate(WRITTEN, start=1):
        place = {"province_code": province, "commune": commune, "street": "1 Hàng Bạc"}
        connection.execute(
            address.insert().values(
                id=row_id,
                user_id=1,
                recipient_name="Anh",
                phone="+84987654321",
                is_default=row_id == 1,
                created_at=NOW,
                **place,
            )
        )
        connection.execute(
            checkout.insert().values(
                id=row_id,
                access_token=f"token-{row_id}",
                contact_name="Anh",
                contact_phone="+84987654321",
                payment_method="cod",
                language="vi",
                created_at=NOW,
                **place,
            )
        )


def test_existing_addresses_and_checkouts_get_the_code_of_the_commune_they_name(
    backend, database_factory, tmp_path
):
    app = make_test_app(database_factory(backend, "commune_codes"), str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision=_previous_revision())
        with db.engine.begin() as connection:
            _write_rows_as_before(connection)

        flask_migrate.upgrade(revision=REVISION)

        expected = [(i, commune, code) for i, (_, commune, code) in enumerate(WRITTEN, start=1)]
        with db.engine.connect() as connection:
            for table in ("address", "checkout"):
                rows = connection.execute(
                    sa.text(f"SELECT id, commune, commune_code FROM {table} ORDER BY id")
                ).all()
                # Matched rows get the code; every row keeps the text it had (history).
                assert [tuple(row) for row in rows] == expected, table
        db.engine.dispose()
