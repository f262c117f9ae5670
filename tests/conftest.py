"""Fixtures shared by every suite.

Tests that use the database run once per backend: SQLite and a real PostgreSQL that this
session starts itself. `pytest --db sqlite` (or postgresql) narrows that down.
"""

from __future__ import annotations

import os
import tempfile

import pytest

# Before the application is imported: the job queue keeps its file under the instance folder,
# which for tests is a throw-away one, never the checkout's instance/.
os.environ.setdefault("NONGSAN_INSTANCE_PATH", tempfile.mkdtemp(prefix="nongsan-tests-"))

from app import create_app
from app.extensions import db, limiter
from orders.ledger_audit import ledger_mismatches
from tests.support.database import rolled_back_transaction, upgrade_schema
from tests.support.postgres import PostgresCluster, PostgresUnavailable
from tests.support.probes import probes
from tests.support.requirements import missing
from tests.support.web import FormClient

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        action="append",
        choices=BACKENDS,
        help="database backend(s) to run the database tests on (default: both)",
    )


def chosen_backends(config) -> list[str]:
    return config.getoption("--db") or list(BACKENDS)


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", chosen_backends(metafunc.config), scope="session")


def pytest_collection_modifyitems(config, items):
    if "postgresql" in chosen_backends(config):
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: --db leaves postgresql out")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres_cluster():
    try:
        cluster = PostgresCluster.start()
    except PostgresUnavailable as error:
        missing("PostgreSQL", str(error))
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def database_factory(request, tmp_path_factory):
    """Makes empty databases on the session's backend: `make(name) -> URL`."""

    def make(backend: str, name: str) -> str:
        # A test that names its backend (a race on PostgreSQL) obeys --db too.
        if backend not in chosen_backends(request.config):
            pytest.skip(f"needs {backend}: --db leaves {backend} out")
        if backend == "sqlite":
            return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / f"{name}.sqlite3")
        cluster = request.getfixturevalue("postgres_cluster")
        return cluster.create_database(name)

    return make


def make_test_app(database_url: str, instance_path: str, **overrides):
    os.environ.setdefault("NONGSAN_INSTANCE_PATH", instance_path)
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "MAIL_BACKEND": "memory",
        "JOBS_IMMEDIATE": True,
        "BASE_URL": "https://nongsan.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PAGE_CACHE_SECONDS": 0,
    }
    config.update(overrides)
    app = create_app(config)
    app.register_blueprint(probes)
    app.test_client_class = FormClient
    return app


@pytest.fixture(scope="session")
def session_app(backend, database_factory, tmp_path_factory):
    """One application per backend, its schema built from the migrations."""
    url = database_factory(backend, "nongsan_test")
    app = make_test_app(url, str(tmp_path_factory.mktemp("instance")))
    upgrade_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(session_app):
    """The application, inside a transaction that is rolled back after the test."""
    limiter.reset()
    session_app.extensions["mail_outbox"] = []
    with rolled_back_transaction(session_app):
        yield session_app


@pytest.fixture
def client(app) -> FormClient:
    return app.test_client()


@pytest.fixture
def outbox(app) -> list:
    return app.extensions["mail_outbox"]


# The ledger after every scenario (issue 16: "the ledger's totals equal the orders' totals
# after every scenario"; orders.ledger_audit). A test that writes ledger rows by hand, without
# the orders behind them, is marked `ledger_by_hand`.
@pytest.fixture(autouse=True)
def ledger_matches_the_orders(request):
    uses_database = "app" in request.fixturenames
    if uses_database:
        request.getfixturevalue("app")  # set up first, so this check runs before its rollback
    yield
    if not uses_database or request.node.get_closest_marker("ledger_by_hand"):
        return
    if not db.session.is_active:
        return  # the test ended inside a failed transaction: nothing it wrote is kept
    assert ledger_mismatches() == []
