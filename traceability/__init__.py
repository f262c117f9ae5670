"""Batches (lots), batch events, QR labels, public trace pages, exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the batch, label and trace pages and the `trace-verify` and `labels` commands,
    and add "first batch" to a new farm's setup checklist."""
    from traceability import cli, setup_step, views

    app.register_blueprint(views.bp)
    setup_step.register()
    app.cli.add_command(cli.trace_verify_command)
    app.cli.add_command(cli.labels_command)
