"""Batches (lots), batch events, QR labels, public trace pages, exports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the batch, label and trace pages and the `trace-verify` and `labels` commands,
    and add "first batch" to a new farm's setup checklist."""
    from orders.reviews.batch_source import on_batch_of_line
    from traceability import cli, review_batches, setup_step, views

    app.register_blueprint(views.bp)
    setup_step.register()
    # A review remembers the batch its line was packed from, for this page's reviews.
    on_batch_of_line(app, review_batches.main_batch_of_line)
    app.cli.add_command(cli.trace_verify_command)
    app.cli.add_command(cli.labels_command)
