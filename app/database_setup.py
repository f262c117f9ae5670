"""Engine settings that depend on the database backend."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite behave: enforce foreign keys, and let SQLAlchemy own transactions.

    pysqlite's own BEGIN handling breaks SAVEPOINTs (which the tests' rollback-per-test relies
    on); the recipe from SQLAlchemy's SQLite documentation hands that to SQLAlchemy.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")
