"""The `nongsan` command: Flask's CLI bound to the factory, plus the operators' commands.

`nongsan run` (gunicorn), `nongsan db upgrade`, `nongsan create-admin` live here; the installed
packages add theirs (`expire-orders`, `trace-verify`, `labels`, `seed-demo`).
`flask --app app …` works too (`flask --app app run --debug` is Flask's development server).
"""

from __future__ import annotations

import os
import subprocess
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from app.config import ConfigError
from app.errors import DomainError
from app.extensions import db


@click.command("create-admin")
@click.option("--name", "full_name", prompt="Full name", help="The operator's full name.")
@click.option("--login", "identifier", prompt="E-mail or phone", help="E-mail or mobile number.")
@click.password_option("--password", help="At least 8 characters.")
@click.option(
    "--province",
    default="",
    help="Limit the operator to one province (code or name, e.g. 31 or 'Hải Phòng'); "
    "without it the operator sees the whole country.",
)
@with_appcontext
def create_admin_command(full_name: str, identifier: str, password: str, province: str) -> None:
    """Create an operator account, or make an existing account an operator."""
    from app.auth.operator_scope import read_scope, scope_label
    from app.auth.services import create_operator

    try:
        user = create_operator(full_name, identifier, password, read_scope(province))
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Operator ready: {user.email or user.display_phone} ({scope_label(user)})")


@click.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 32))
@click.option("--exit-with-parent", is_flag=True, hidden=True)
def worker_command(threads: int, exit_with_parent: bool) -> None:
    """Run the background jobs: mails and messages, label runs, order expiry (app/worker.py)."""
    from app.worker import run_worker

    try:
        app = _create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    run_worker(app, threads=threads, exit_with_parent=exit_with_parent)


@click.command("run")
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(min=1), help="Processes (WEB_CONCURRENCY).")
@click.option(
    "--no-worker", is_flag=True, help="Do not start the job worker (it runs as its own service)."
)
def run_command(host: str, port: int, workers: int | None, no_worker: bool) -> None:
    """Serve the application with gunicorn (app/gunicorn_config.py), not a development server,
    and start the background job worker beside it.

    The process becomes gunicorn, so Ctrl-C and service managers' signals reach it directly;
    the worker stops when gunicorn does.
    """
    # Build the application once first: a bad configuration fails here with its message, and
    # the development key under instance/ exists before the workers start reading it.
    try:
        _create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    if not no_worker:
        # A child of this process, which becomes gunicorn: it follows gunicorn out.
        subprocess.Popen([sys.executable, "-m", "app.cli", "worker", "--exit-with-parent"])
    command = [sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_config"]
    command += ["--bind", f"{host}:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    command.append("app:create_app()")
    os.execv(sys.executable, command)


def register_commands(app: Flask) -> None:
    """app's own commands; each installed package adds its own (see DOMAIN_PACKAGES)."""
    app.cli.add_command(create_admin_command)


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
cli.add_command(worker_command)
cli.add_command(routes_command)
cli.add_command(shell_command)


def main() -> None:
    cli(prog_name="nongsan")


if __name__ == "__main__":
    main()
