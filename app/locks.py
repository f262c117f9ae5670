"""A named lock held until the transaction ends, for a check-then-insert that has no row to
lock (two operators creating the same platform voucher code at once).

On PostgreSQL it is a transaction-level advisory lock on a 64-bit key derived from the name.
SQLite (development and tests) allows one writer at a time and has no such lock: there it is
a no-op.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text

from app.extensions import db


def lock_name(name: str) -> int:
    """The signed 64-bit advisory-lock key of `name` (stable across processes and releases,
    unlike Python's hash())."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_for_this_transaction(name: str) -> None:
    """Wait until no other transaction holds `name`, and hold it until commit or rollback."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_name(name)})
