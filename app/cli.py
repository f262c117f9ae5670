"""The `nongsan` command: Flask's CLI bound to the factory, plus the operators' commands.

`nongsan run` (gunicorn), `nongsan db upgrade`, `nongsan seed-demo`, `nongsan create-admin`;
`flask --app app …` works too (`flask --app app run --debug` is Flask's development server).
"""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from app.config import ConfigError
from app.errors import DomainError
from app.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no accounts yet.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo marketplace (idempotent)."""
    from app.seed import DEMO_PASSWORD, database_is_empty, seed_demo

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


@click.command("seed-scale")
@click.option("--farms", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--products", default=10_000, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", default=2026, show_default=True, help="Same seed, same catalog.")
@with_appcontext
def seed_scale_command(farms: int, products: int, seed: int) -> None:
    """Add a large synthetic catalog (farms, published products) for benchmarks."""
    from app.seed_scale import seed_scale

    if current_app.config["NONGSAN_ENV"] == "production":
        raise click.ClickException("seed-scale refuses to run with NONGSAN_ENV=production")
    with click.progressbar(length=products, label="Products") as bar:
        made_farms, made_products = seed_scale(farms, products, bar.update, seed=seed)
    click.echo(f"Seeded {made_farms} farm(s) and {made_products} product(s).")


@click.command("create-admin")
@click.option("--name", "full_name", prompt="Full name", help="The operator's full name.")
@click.option("--login", "identifier", prompt="E-mail or phone", help="E-mail or mobile number.")
@click.password_option("--password", help="At least 8 characters.")
@with_appcontext
def create_admin_command(full_name: str, identifier: str, password: str) -> None:
    """Create an operator account, or make an existing account an operator."""
    from app.auth.services import create_operator

    try:
        user = create_operator(full_name, identifier, password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Operator ready: {user.email or user.display_phone}")


@click.command("expire-orders")
@with_appcontext
def expire_orders_command() -> None:
    """Cancel unpaid orders whose time to pay has run out; their stock goes back on sale.

    Run it every few minutes from cron or a systemd timer.
    """
    from app.db import utcnow
    from orders.services import expire_unpaid_orders

    expired = expire_unpaid_orders(utcnow())
    db.session.commit()  # each buyer's mail goes out with the commit
    click.echo(f"{len(expired)} unpaid order(s) expired.")


@click.command("run")
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(min=1), help="Processes (WEB_CONCURRENCY).")
def run_command(host: str, port: int, workers: int | None) -> None:
    """Serve the application with gunicorn (app/gunicorn_config.py), not a development server.

    The process becomes gunicorn, so Ctrl-C and service managers' signals reach it directly.
    """
    # Build the application once first: a bad configuration fails here with its message, and
    # the development key under instance/ exists before the workers start reading it.
    try:
        _create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    command = [sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_config"]
    command += ["--bind", f"{host}:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    command.append("app:create_app()")
    os.execv(sys.executable, command)


def register_commands(app: Flask) -> None:
    from traceability.cli import labels_command, trace_verify_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(expire_orders_command)
    app.cli.add_command(trace_verify_command)
    app.cli.add_command(labels_command)


def _create_app() -> Flask:
    from app import create_app

    return create_app()


# Our own `run` (gunicorn) replaces Flask's development server; `routes` and `shell` stay.
cli = FlaskGroup(
    create_app=_create_app,
    add_default_commands=False,
    help="Nông Sản Số: operate the marketplace.",
)
cli.add_command(run_command)
cli.add_command(routes_command)
cli.add_command(shell_command)


def main() -> None:
    cli(prog_name="nongsan")


if __name__ == "__main__":
    main()
