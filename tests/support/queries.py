"""Counting the SQL statements a piece of code runs (to pin hot pages: no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collects every statement sent to the database while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        # Transaction control and settings (SET LOCAL) are not reads.
        skipped = ("SAVEPOINT", "RELEASE", "ROLLBACK", "SET LOCAL")
        if not statement.lstrip().upper().startswith(skipped):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def assert_fixed_queries(client, url: str, add_more, status: int = 200):
    """Pin a list page: it runs as many statements before `add_more()` adds rows as after.

    The first request warms up what every page loads once (the session, the language).
    Returns the second answer, for checks that the added rows do show.
    """
    assert client.get(url).status_code == status
    with count_queries() as few:
        assert client.get(url).status_code == status
    add_more()
    db.session.commit()
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == status
    assert len(many) == len(few), f"{len(few)} then {len(many)} statements:\n" + "\n".join(
        " ".join(statement.split())[:150] for statement in many
    )
    return response
