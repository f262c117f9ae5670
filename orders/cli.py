"""Operators' commands for orders."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.db import utcnow
from app.extensions import db
from orders.ledger_audit import ledger_mismatches
from orders.services import expire_unpaid_orders


@click.command("expire-orders")
@with_appcontext
def expire_orders_command() -> None:
    """Cancel unpaid orders whose time to pay has run out; their stock goes back on sale.

    The worker (`nongsan worker`) does this every minute; the command is for doing it now.
    """
    expired = expire_unpaid_orders(utcnow())
    db.session.commit()  # each buyer's mail goes out with the commit
    click.echo(f"{len(expired)} unpaid order(s) expired.")


@click.command("audit-ledger")
@with_appcontext
def audit_ledger_command() -> None:
    """Compare every order's ledger entries with what its own columns say the platform owes
    its farm (orders.ledger_audit); exit 1 listing the orders that differ."""
    mismatches = ledger_mismatches()
    for mismatch in mismatches:
        click.echo(
            f"{mismatch.order_number}: ledger {mismatch.recorded_vnd} đồng, "
            f"order says {mismatch.expected_vnd} đồng"
        )
    if mismatches:
        raise SystemExit(1)
    click.echo("The ledger matches every order.")
