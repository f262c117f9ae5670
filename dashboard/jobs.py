"""The dashboard's refresh on the job queue: the recent days every ten minutes, everything
every night and when an operator asks."""

from __future__ import annotations

from datetime import datetime

from app.db import utcnow
from app.extensions import db
from app.jobs import crontab, job, periodic_job
from dashboard.refresh import refresh_figures


@periodic_job(crontab(minute="*/10"))
def refresh_dashboard_figures() -> bool:
    """What happened since the last refresh (dashboard.refresh, recent_only); the figures'
    freshness is this run."""
    rebuilt = refresh_figures(utcnow(), recent_only=True)
    db.session.commit()
    return rebuilt


# 02:45 in Vietnam (the queue keeps UTC), when hardly anyone buys: a refund of an order paid
# weeks ago, a farm that moved commune, reach the figures of the days they change.
@periodic_job(crontab(hour="19", minute="45"))
def rebuild_dashboard_figures() -> bool:
    """Every figure from every record."""
    rebuilt = refresh_figures(utcnow())
    db.session.commit()
    return rebuilt


@job()
def refresh_dashboard_figures_now(asked_at: str) -> bool:
    """Every figure, asked for by an operator: skipped when a rebuild began after the
    request."""
    rebuilt = refresh_figures(datetime.fromisoformat(asked_at))
    db.session.commit()
    return rebuilt
