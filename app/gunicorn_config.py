"""gunicorn settings for `nongsan run` (and `make run`): `gunicorn -c python:app.gunicorn_config`.

Several processes, each with a few threads: a slow request (a PDF, a photo upload) does not
hold up the others, and a crashed worker is replaced. On SQLite the writes still queue one
after the other (app/database_setup.py); reads run side by side.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isascii() and value.isdigit() else default


#: WEB_CONCURRENCY is the variable hosting platforms set; at most 4 by default, because on
#: SQLite more processes only queue for the one write lock.
workers = _int("WEB_CONCURRENCY", min(4, (os.cpu_count() or 1) + 1))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
#: Above SQLite's busy timeout (20 s): a write that waited that long ends as a logged error
#: of the application, not as a worker killed in the middle of a request.
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
