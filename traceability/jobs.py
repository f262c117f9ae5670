"""Traceability's background jobs: drawing the PDF of a large label run."""

from __future__ import annotations

from flask_babel import force_locale

from app.extensions import db
from app.jobs import job
from traceability import labels
from traceability.models import LabelRun


@job()
def draw_label_run(run_id: int, language: str) -> None:
    """Draw and keep the run's PDF in the language the farmer asked in (nothing if it is kept
    already). Enqueued once per lease (labels.request_drawing), not on every reload of the
    waiting page; a worker that dies drawing it only delays it by the lease."""
    run = db.session.get(LabelRun, run_id)
    if run is None:
        return
    with force_locale(language):
        labels.keep_run_pdf(run)
