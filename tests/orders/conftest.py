"""After every orders test that uses the database, the ledger still equals what the orders
say (issue 16: "the ledger's totals equal the orders' totals after every scenario"; see
orders.ledger_audit). A test that writes ledger rows by hand is marked `ledger_by_hand`."""

from __future__ import annotations

import pytest

from app.extensions import db
from orders.ledger_audit import ledger_mismatches


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
