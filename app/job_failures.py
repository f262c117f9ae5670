"""Background jobs that raised: recorded for operators, who see them on /admin/outbox.

A message's failed delivery is kept on its outbox row (app/messaging); this covers every other
job (label runs, recall notices, order expiry, a delivery job's own bug): Huey logs the error
and, once its retries are spent, forgets the job, so without this row nobody would know.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, has_app_context
from huey.signals import SIGNAL_ERROR
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.jobs import huey

#: How far back the outbox page looks for failed jobs.
SHOWN_FOR = timedelta(days=7)
SHOWN_AT_MOST = 20

#: The application the worker runs (set when the outbox pages are installed in it).
_app: Flask | None = None


class JobFailure(db.Model):
    """One failed run of a background job."""

    __tablename__ = "job_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The job's name (`traceability.jobs.draw_label_run`).
    task_name: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(64))
    #: The job's arguments as Python writes them, cut to fit: ids, never a secret.
    arguments: Mapped[str] = mapped_column(String(500))
    error: Mapped[str] = mapped_column(String(500))
    #: Whether Huey runs the job again (it had retries left).
    will_retry: Mapped[bool] = mapped_column(default=False)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def watch_job_failures(app: Flask) -> None:
    global _app
    _app = app


@huey.signal(SIGNAL_ERROR)
def record_job_failure(signal, task, error=None, *args) -> None:
    """Huey's error signal: write the failure in a transaction of its own."""
    app = current_app._get_current_object() if has_app_context() else _app
    if app is None:
        return
    # A context of its own: the signal may come inside a request whose session is finishing.
    with app.app_context():
        try:
            db.session.add(
                JobFailure(
                    task_name=str(task.name)[:200],
                    task_id=str(task.id)[:64],
                    arguments=repr(tuple(task.args or ()))[:500],
                    error=f"{type(error).__name__}: {error}"[:500],
                    will_retry=bool(task.retries),
                )
            )
            db.session.commit()
        except Exception:
            db.session.rollback()
            app.logger.exception("Could not record the failure of job %s", task.id)


def recent_job_failures(now: datetime | None = None) -> list[JobFailure]:
    """The latest failures of the last week, newest first."""
    since = (now or utcnow()) - SHOWN_FOR
    return list(
        db.session.scalars(
            select(JobFailure)
            .where(JobFailure.failed_at >= since)
            .order_by(JobFailure.failed_at.desc(), JobFailure.id.desc())
            .limit(SHOWN_AT_MOST)
        )
    )
