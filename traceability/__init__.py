"""Batches (lots), batch events, QR labels, public trace pages, exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the batch, label and trace pages and the `trace-verify` and `labels` commands."""
    from traceability import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.trace_verify_command)
    app.cli.add_command(cli.labels_command)
