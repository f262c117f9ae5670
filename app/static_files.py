"""Content-hashed static URLs: `url_for('static', filename=...)` adds `?v=<hash>`.

The hash is the first 12 hex digits of the file's SHA-256, so the URL changes whenever the
content does and a browser may keep the file for a year. It is a query string, not a path
segment, so the file stays where it is on disk and a server in front (nginx's
`location /static/`) serves it straight from app/static with no rewrite.

Each file is hashed once per process; later calls only compare the file's size and
modification time (one stat), so an edited file gets a new URL without a restart.

Served by Flask, a file asked for with its current hash is `immutable` for a year; one asked
for with no hash or an old one (a page cached before a deploy) is kept only as long as a
public page, so no browser pins the wrong content under that address.
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

from app.inline_styles import init_inline_styles

HASH_LENGTH = 12
VERSION_ARGUMENT = "v"
IMMUTABLE = "public, max-age=31536000, immutable"


class StaticHashes:
    """The content hash of each file under one static folder, kept per process."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, filename: str) -> str | None:
        """The file's hash, or None when there is no such file (its URL then has none)."""
        path = safe_join(self.folder, filename)
        try:
            stat = os.stat(path) if path else None
        except OSError:
            return None
        if stat is None or not os.path.isfile(path):
            return None
        signature = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(filename)
        if known and known[0] == signature:
            return known[1]
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()[:HASH_LENGTH]
        self._known[filename] = (signature, digest)
        return digest


def static_hashes(app: Flask | None = None) -> StaticHashes:
    return (app or current_app).extensions["static_hashes"]


def _add_hash(endpoint: str, values: dict) -> None:
    if endpoint != "static" or VERSION_ARGUMENT in values or "filename" not in values:
        return
    digest = static_hashes().of(values["filename"])
    if digest:
        values[VERSION_ARGUMENT] = digest


def _cache_static_file(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    asked = request.args.get(VERSION_ARGUMENT)
    if asked and asked == static_hashes().of(filename):
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        max_age = int(current_app.config["HTTP_CACHE_SECONDS"])
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers.pop("Expires", None)  # Cache-Control says it; one answer, not two
    return response


class StaticFilesKeepNoSession(SecureCookieSessionInterface):
    """Signed-cookie sessions, except that a static file's answer neither sets the cookie nor
    says `Vary: Cookie` (Flask-Login reads the session after every request, which would add
    it): the file is the same for everyone, and a browser must not fetch an `immutable` file
    again because the session cookie changed since."""

    def save_session(self, app: Flask, session, response: Response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def init_static_files(app: Flask) -> None:
    app.session_interface = StaticFilesKeepNoSession()
    app.extensions["static_hashes"] = StaticHashes(app.static_folder)
    init_inline_styles(app)
    app.url_defaults(_add_hash)
    app.after_request(_cache_static_file)
