"""Engine settings that depend on the database backend."""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: How long a connection waits for another one's write lock before "database is locked".
#: Writes are short; under a burst they queue one after the other well within this.
SQLITE_BUSY_TIMEOUT_MS = 20_000

#: Requests that only read: their transactions need no write lock.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: GET pages that write all the same: a label scan is counted and logged.
WRITING_GET_ENDPOINTS = frozenset(
    {"traceability.trace_by_serial", "traceability.trace_by_digital_link"}
)


def sqlite_begin_statement() -> str:
    """BEGIN IMMEDIATE for work that writes (unsafe requests, commands), plain BEGIN else.

    A deferred transaction that reads and then writes cannot wait for the lock: if another
    connection committed in between, SQLite answers "database is locked" at once, whatever
    the busy timeout. Taking the write lock up front makes writers queue instead.
    """
    if (
        has_request_context()
        and request.method in READ_ONLY_METHODS
        and request.endpoint not in WRITING_GET_ENDPOINTS
    ):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite serve several workers: WAL, a busy timeout, foreign keys, and
    transactions that SQLAlchemy begins itself (with the write lock when they will write).

    pysqlite's own BEGIN handling breaks SAVEPOINTs (which the tests' rollback-per-test relies
    on) and cannot take the lock up front; the recipe from SQLAlchemy's pysqlite
    documentation ("Serializable isolation / Savepoints / Transactional DDL") hands that to
    SQLAlchemy.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Readers no longer wait for a writer, nor a writer for readers (a file database;
        # an in-memory one stays in its "memory" journal). The mode is kept in the file.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(sqlite_begin_statement())
