"""The application served on a free localhost port, for a browser or a shell script."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server

from app.extensions import db


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` in a thread while the block runs; yields its base URL. On leaving, the
    server stops and the app's database connections are closed."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()
