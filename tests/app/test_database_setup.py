"""SQLite set up to serve several workers: WAL, a busy timeout, and write transactions that
take the lock up front (the HTTP flash sale in tests/orders/test_flash_sale_http.py shows
the effect)."""

import pytest
from sqlalchemy import text

from app.database_setup import (
    SQLITE_BUSY_TIMEOUT_MS,
    WRITING_GET_ENDPOINTS,
    sqlite_begin_statement,
)
from app.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def sqlite_app(tmp_path):
    app = make_test_app("sqlite:///" + str(tmp_path / "setup.sqlite3"), str(tmp_path))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_every_sqlite_connection_uses_wal_a_busy_timeout_and_foreign_keys(sqlite_app):
    with sqlite_app.app_context(), db.engine.connect() as connection:
        pragma = lambda name: connection.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
        assert pragma("foreign_keys") == 1


@pytest.mark.parametrize(
    ("method", "path", "begin"),
    [
        ("GET", "/products", "BEGIN"),
        ("HEAD", "/products", "BEGIN"),
        ("POST", "/cart/add", "BEGIN IMMEDIATE"),
        ("POST", "/checkout", "BEGIN IMMEDIATE"),
        ("GET", "/T/ABCDEFGH", "BEGIN IMMEDIATE"),  # a label scan is counted
    ],
)
def test_requests_that_can_write_take_the_write_lock_up_front(sqlite_app, method, path, begin):
    with sqlite_app.test_request_context(path, method=method):
        assert sqlite_begin_statement() == begin


def test_commands_outside_requests_take_the_write_lock_up_front(sqlite_app):
    with sqlite_app.app_context():
        assert sqlite_begin_statement() == "BEGIN IMMEDIATE"


def test_the_get_pages_that_write_are_real_endpoints(sqlite_app):
    assert WRITING_GET_ENDPOINTS <= set(sqlite_app.view_functions)
