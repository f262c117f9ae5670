"""Traceability's background jobs: drawing the PDF of a large label run."""

from __future__ import annotations

from flask_babel import force_locale

from app.extensions import db
from app.jobs import huey, job
from traceability import labels
from traceability.models import LabelRun


@job()
def draw_label_run(run_id: int, language: str) -> None:
    """Draw and keep the run's PDF in the language the farmer asked in. Asking again while it
    is being drawn (the waiting page reloads) does not start a second drawing."""
    with huey.lock_task(f"label-run-{run_id}"):
        run = db.session.get(LabelRun, run_id)
        if run is None:
            return
        with force_locale(language):
            labels.keep_run_pdf(run)
