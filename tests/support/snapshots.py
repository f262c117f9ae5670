"""What the database holds, so that a refusal test can check that nothing changed.

    before = database_snapshot()
    response = client.post_form(...)          # refused
    assert database_snapshot() == before

The rows are read with Core through the test's connection: they are what is stored (requests
included), not the test session's possibly stale objects. Pending changes in the test's session
are flushed first, so a service that changed an object and then refused is caught too.
"""

from __future__ import annotations

from sqlalchemy import Table, select

from app.extensions import db

Snapshot = dict[str, list[tuple]]


def _table(source) -> Table:
    return source if isinstance(source, Table) else source.__table__


def table_snapshot(*sources) -> Snapshot:
    """Every row of each model (or Table), in primary-key order, keyed by table name."""
    db.session.flush()
    rows: Snapshot = {}
    for source in sources:
        table = _table(source)
        statement = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in db.session.execute(statement)]
    return rows


def database_snapshot(excluding=()) -> Snapshot:
    """Every row of every table, but those `excluding` names (models or Tables) which the
    refused request may legitimately write (a scan count, a login attempt)."""
    skipped = {_table(source).name for source in excluding}
    return table_snapshot(*(t for t in db.metadata.sorted_tables if t.name not in skipped))
