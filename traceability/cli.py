"""Operators' commands for batches: check a history's hash chain, print labels."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role, has_role
from app.auth.services import find_user_by_identifier
from app.errors import DomainError
from app.extensions import db
from traceability import labels, services
from traceability.label_formats import DEFAULT_FORMAT_ID, FORMATS
from traceability.labels import MAX_LABELS_PER_RUN


def _batch(reference: str):
    batch = services.find_batch(reference)
    if batch is None:
        raise click.ClickException(
            f"No batch {reference!r}: give its id, FARM-SLUG/CODE, or a code only one farm uses."
        )
    return batch


@click.command("trace-verify")
@click.argument("batch_reference", metavar="BATCH")
@with_appcontext
def trace_verify_command(batch_reference: str) -> None:
    """Check that BATCH's history, and the facts and labels it seals, are unaltered (exit
    status 0 only when the chain holds)."""
    batch = _batch(batch_reference)
    check = services.verify_batch(batch)
    where = f"{batch.farm.slug}/{batch.code}"
    if check.legacy:
        click.echo(
            f"{where}: recorded before batches were sealed: its product, growing area and code,"
            " and labels issued before, are not covered by the chain.",
            err=True,
        )
    if check.ok:
        click.echo(f"{where}: {check.events} event(s), the hash chain holds.")
        return
    what = "HISTORY" if check.part == "history" else f"BATCH {check.part.upper()}"
    click.echo(
        f"{where}: {what} ALTERED at event {check.broken_at} of {check.events}: {check.reason}.",
        err=True,
    )
    raise SystemExit(1)


@click.command("labels")
@click.argument("batch_reference", metavar="BATCH")
@click.option(
    "--format",
    "format_id",
    default=DEFAULT_FORMAT_ID,
    show_default=True,
    type=click.Choice(sorted(FORMATS)),
    help="Label stock: A4 sheets or a thermal roll.",
)
@click.option("--count", default=65, show_default=True, type=click.IntRange(1, MAX_LABELS_PER_RUN))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="Where to write the PDF.",
)
@click.option("--operator", "operator_login", help="The operator issuing them (e-mail or phone).")
@with_appcontext
def labels_command(batch_reference: str, format_id: str, count: int, output: str, operator_login):
    """Issue COUNT new labels for BATCH (each with its own serial) and write them as a PDF."""
    batch = _batch(batch_reference)
    operator = _operator(operator_login)
    try:
        run = labels.issue_labels(batch, operator, format_id, count)
        pdf = labels.run_pdf(run, operator)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    with open(output, "wb") as handle:
        handle.write(pdf)
    click.echo(f"{count} label(s) for {batch.farm.slug}/{batch.code} ({format_id}) -> {output}")


def _operator(login: str | None) -> User:
    """The named operator, or the only one there is; labels record who issued them."""
    if login:
        user = find_user_by_identifier(login)
        if user is None or not has_role(user, Role.OPERATOR):
            raise click.ClickException(f"{login!r} is not an operator's e-mail or phone.")
        return user
    operators = [
        user
        for user in db.session.scalars(select(User).where(User.role == Role.OPERATOR.value))
        if user.is_active
    ]
    if len(operators) != 1:
        raise click.ClickException("Say which operator issues the labels: --operator EMAIL.")
    return operators[0]
