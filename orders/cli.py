"""Operators' commands for orders."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.db import utcnow
from app.extensions import db
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
