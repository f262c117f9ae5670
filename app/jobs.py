"""Background jobs on Huey: mails and messages, label runs, recall notices, order expiry.

The queue is stored where every web process and the worker see it: in Redis when REDIS_URL is
set (production), otherwise in a SQLite file under the instance folder (`make run`). Both keep
waiting jobs across a restart of the worker. Tests run jobs at once (`JOBS_IMMEDIATE`).

A job is a function decorated with `@job()` (or `@periodic_job(...)`); enqueue it after the
commit of the change that calls for it (`after_commit(some_job, *args)`), so a rolled-back
change never starts one. Each run gets an application context of its own, and with it its own
database session: a job commits its own work, and one job's failure leaves others untouched.
The worker is `nongsan worker` (started by `nongsan run` unless `--no-worker`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

__all__ = ["crontab", "huey", "init_jobs", "job", "periodic_job"]

_QUEUE_NAME = "nongsan"


def _instance_path() -> Path:
    # The same folder Flask picks for the `app` package when NONGSAN_INSTANCE_PATH is unset.
    configured = os.environ.get("NONGSAN_INSTANCE_PATH")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "instance"


def _huey_from_environment() -> Huey:
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if redis_url:
        return RedisHuey(_QUEUE_NAME, url=redis_url, utc=True)
    path = _instance_path()
    path.mkdir(parents=True, exist_ok=True)
    # Huey's own SQLite file, apart from the application's database: the worker's polling
    # never competes with the shop's writers for the database's one write lock.
    return SqliteHuey(_QUEUE_NAME, filename=str(path / "jobs.sqlite3"), utc=True)


huey: Huey = _huey_from_environment()

#: The application a worker process runs its jobs in (set by init_jobs in that process).
_app: Flask | None = None


def init_jobs(app: Flask) -> None:
    """Bind the queue to this application; run jobs at once when JOBS_IMMEDIATE is set."""
    global _app
    _app = app
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE"))


def _with_app_context(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        app = current_app._get_current_object() if has_app_context() else _app
        if app is None:
            from app import create_app

            app = create_app()
        # A context of its own even inside a request (immediate mode): a fresh session whose
        # commit or rollback is the job's alone.
        with app.app_context():
            return fn(*args, **kwargs)

    return run


def job(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Make `fn` a background job: calling it enqueues it (`fn.call_local` runs it here)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        return huey.task(name=f"{fn.__module__}.{fn.__qualname__}", **options)(
            _with_app_context(fn)
        )

    return decorate


def periodic_job(schedule: Callable[..., bool], **options: Any):
    """A job the worker runs on a schedule (`crontab(minute="*/5")`)."""

    def decorate(fn: Callable[..., Any]) -> Any:
        return huey.periodic_task(schedule, name=f"{fn.__module__}.{fn.__qualname__}", **options)(
            _with_app_context(fn)
        )

    return decorate
