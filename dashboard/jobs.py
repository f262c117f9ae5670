"""The dashboard's refresh on the job queue: every ten minutes, and when an operator asks."""

from __future__ import annotations

from datetime import datetime

from app.db import utcnow
from app.extensions import db
from app.jobs import crontab, job, periodic_job
from dashboard.refresh import refresh_figures


@periodic_job(crontab(minute="*/10"))
def refresh_dashboard_figures() -> bool:
    """Rebuild the summary table from the records; the figures' freshness is this run."""
    rebuilt = refresh_figures(utcnow())
    db.session.commit()
    return rebuilt


@job()
def refresh_dashboard_figures_now(asked_at: str) -> bool:
    """The same, asked for by an operator: skipped when a rebuild began after the request."""
    rebuilt = refresh_figures(datetime.fromisoformat(asked_at))
    db.session.commit()
    return rebuilt
