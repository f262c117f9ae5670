"""`nongsan seed-demo`: the demo marketplace, for development and the browser tests."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from demo.seed import DEMO_PASSWORD, database_is_empty, seed_demo


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no accounts yet.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo marketplace (idempotent)."""
    if current_app.config["NONGSAN_ENV"] == "production":
        raise click.ClickException("seed-demo refuses to run with NONGSAN_ENV=production")
    if if_empty and not database_is_empty():
        click.echo("The database already has accounts; demo data not loaded.")
        return
    results = seed_demo()
    db.session.commit()
    created = sum(1 for _, _, new in results if new)
    click.echo(f"Demo data: {created} new account(s), {len(results) - created} already there.")
    click.echo(f"Every demo account's password is: {DEMO_PASSWORD}")
    for person, user, _ in results:
        login = user.email or user.display_phone
        click.echo(f"  {person.role.value:<13} {login:<24} {person.full_name} — {person.about}")
