"""The ledger audit (orders.ledger_audit) for scenarios that run on a database of their own:
the PostgreSQL races and the browser journeys, which the autouse check of
tests/orders/conftest.py does not reach. Each asserts, after its last step,

    assert ledger_mismatches_in(app) == []

so that pytest shows the orders that disagree."""

from __future__ import annotations

from flask import Flask

from orders.ledger_audit import LedgerMismatch, ledger_mismatches


def ledger_mismatches_in(app: Flask) -> list[LedgerMismatch]:
    """Every order of `app`'s database whose ledger entries differ from its columns, read in
    a fresh application context (so committed rows only, as another worker would see them)."""
    with app.app_context():
        return ledger_mismatches()
