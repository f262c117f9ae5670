"""Brotli or gzip for text answers, done by the application (Flask-Compress).

The site must be small on the wire also when nothing sits in front of it (`make run`, a bare
gunicorn). A proxy that compresses by itself (our nginx does, with its own cache) may take the
job over: `NONGSAN_COMPRESS=off` (config `COMPRESS_RESPONSES`), or it strips Accept-Encoding
towards the application as deploy/nginx does.

Only br and gzip: Chromium also offers zstd, which Flask-Compress would pick first, but some
proxies and older clients in between do not know it. Downloads (PDF labels, XLSX, WebP photos)
are not in the list of types and pass untouched; so do streamed answers.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

#: Every text type we serve: pages, the stylesheet, the SVG logo, and the JSON of the API, the
#: open data and EPCIS (Flask-Compress's own list lacks the +json types).
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/problem+json",
    "application/schema+json",
    "image/svg+xml",
]

#: Static text files are read whole before compressing (Flask hands them over as a file
#: stream, which Flask-Compress would otherwise leave alone); all of ours are a few KB.
_STATIC_TEXT_LIMIT = 256 * 1024


def _buffer_small_static_text(response: Response) -> Response:
    """Turn a small static text file's stream into a body, so it is compressed like a page."""
    if (
        request.endpoint == "static"
        and response.status_code == 200
        and response.mimetype in COMPRESSED_TYPES
        and (response.content_length or 0) <= _STATIC_TEXT_LIMIT
    ):
        response.direct_passthrough = False
        stream = response.response
        body = response.get_data()
        if hasattr(stream, "close"):  # the open static file: nobody else closes it now
            stream.close()
        response.set_data(body)
    return response


class _CompressErrorPagesToo(Compress):
    """Flask-Compress leaves every answer outside 2xx alone; but a label that is not genuine
    answers a full page with a 404, as do the other error pages, and a phone on a weak
    signal waits for those bytes just the same."""

    def after_request(self, response: Response | None) -> Response:
        if (
            response is None
            or not 400 <= response.status_code < 600
            or response.get_etag()[0]  # a conditional request could turn it into a 304
        ):
            return super().after_request(response)
        status = response.status_code
        response.status_code = 200  # the only check of Flask-Compress's that differs
        try:
            return super().after_request(response)
        finally:
            response.status_code = status


def init_compression(app: Flask) -> None:
    """Register compression. Call it before every other after_request hook: Flask runs them
    in reverse order, so it then runs last, after the security and cache headers are set."""
    if not app.config.get("COMPRESS_RESPONSES", True):
        return
    app.config.update(
        COMPRESS_ALGORITHM="br, gzip",
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_STREAMS=False,
        COMPRESS_LEVEL=6,
        COMPRESS_BR_LEVEL=5,
    )
    _CompressErrorPagesToo(app)
    app.after_request(_buffer_small_static_text)  # registered after, so it runs before
