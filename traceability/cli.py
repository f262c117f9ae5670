"""Operators' commands for batches: check a history's hash chain, print labels."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from traceability import services


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
    """Check that BATCH's history is unaltered (exit status 0 only when the chain holds)."""
    batch = _batch(batch_reference)
    check = services.verify_batch(batch)
    where = f"{batch.farm.slug}/{batch.code}"
    if check.ok:
        click.echo(f"{where}: {check.events} event(s), the hash chain holds.")
        return
    click.echo(
        f"{where}: HISTORY ALTERED at event {check.broken_at} of {check.events}: {check.reason}.",
        err=True,
    )
    raise SystemExit(1)
