"""`nongsan worker`: the process that runs the background jobs (Huey's consumer).

Production runs it as a service of its own next to gunicorn (one is enough for a province;
more share the queue). `nongsan run` starts one beside gunicorn unless told `--no-worker`; that
one stops when its parent does. On start it hands the outbox's overdue messages to the queue
again, so a message whose job was lost with a killed worker still goes out.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from flask import Flask

from app.jobs import huey

log = logging.getLogger(__name__)


def run_worker(app: Flask, *, threads: int = 2, exit_with_parent: bool = False) -> None:
    from app.messaging.jobs import enqueue_due_messages

    with app.app_context():
        requeued = enqueue_due_messages(grace=_no_grace())
    if requeued:
        log.info("Handed %s overdue message(s) back to the queue", requeued)
    if exit_with_parent:
        _stop_when_orphaned()
    # Periodic jobs (the outbox sweeper, order expiry) run in this process too.
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=True)
    consumer.run()


def _no_grace():
    from datetime import timedelta

    # At start no job of this worker can be waiting in memory: everything due is due.
    return timedelta(0)


def _stop_when_orphaned() -> None:
    """Interrupt (gracefully, like Ctrl-C) once the parent process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
