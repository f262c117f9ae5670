"""The fast lane for a visitor's label scan, in front of Flask.

Every box of a harvest carries a label and shoppers scan them: `/T/<serial>` is the site's
busiest address. Through Flask's request cycle (request context, session, login, locale,
hooks) a scan cost three times a trivial request, more than counting it in the database.

So a visitor's scan whose batch page is in the page cache is answered here, as a plain WSGI
callable: the scan limit, the scan counted and logged (one statement), the label's lines
filled into the shared page, the headers Flask would send. Everything else goes on to Flask
as it came: a signed-in user or anyone with a session, a bot, a serial never issued or
malformed, a Digital Link naming another batch, a scan over the limit, a page not cached
(or the cache off), SQLite, an error. A scan counted here travels on with the request
(`COUNTED_SCAN`), and so does the scan limit's verdict (`SCAN_LIMIT_CHECKED`): Flask
neither counts them again nor loses them.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
from functools import lru_cache

from babel.support import NullTranslations, Translations
from flask import Flask
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

from app.db import utcnow
from app.extensions import db
from app.i18n import LANGUAGE_COOKIE, visitor_language
from app.page_cache import fill_slots, is_on, shared_page
from app.security import security_headers
from traceability.scans import ScanResult, record_visitor_scan, scanner_fingerprint
from traceability.views.public import (
    COUNTED_SCAN,
    SCAN_LIMIT_CHECKED,
    label_lines,
    trace_page_key,
    within_scan_limit,
)

log = logging.getLogger(__name__)

# The addresses of traceability/views/public.py's trace_by_serial and trace_by_digital_link.
_SHORT_LINK = re.compile(r"/[Tt]/([^/]+)")
_DIGITAL_LINK = re.compile(r"/01/([^/]+)/10/([^/]+)/21/([^/]+)")


@lru_cache(maxsize=8)
def _translations(directory: str, domain: str, language: str) -> NullTranslations:
    """The same catalog Flask-Babel loads (its cache needs a request context)."""
    return Translations.load(directory, [language], domain)


class ScanGateway:
    """WSGI middleware: `next_app` is Flask's own wsgi_app, which answers everything else."""

    def __init__(self, app: Flask, next_app):
        self.app = app
        self.next_app = next_app
        with app.app_context():
            self.engine = db.engine
        self.session_cookies = {
            app.config["SESSION_COOKIE_NAME"],
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        }
        # Flask-Babel's settings: its first translations directory and its domain.
        directory = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
        self.translations_directory = os.path.join(app.root_path, directory.split(";")[0])
        self.translations_domain = app.config.get("BABEL_DOMAIN", "messages").split(";")[0]
        self._own = threading.local()
        self._opened: list = []  # every thread's, to close them all (close())
        self._opened_lock = threading.Lock()
        atexit.register(self.close)

    def _connection(self):
        """This thread's own connection, kept in autocommit: the pool's checkout would add a
        ping round trip and two mode switches to every scan. One more connection per worker
        thread; a broken one is dropped (see __call__) and the next scan opens another."""
        connection = getattr(self._own, "connection", None)
        if connection is None or connection.closed:
            pooled = self.engine.raw_connection()
            connection = pooled.driver_connection
            pooled.detach()  # opened with the engine's settings, but no longer the pool's
            connection.autocommit = True
            self._own.connection = connection
            with self._opened_lock:
                self._opened.append(connection)
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._own, "connection", None)
        self._own.connection = None
        if connection is not None:
            with self._opened_lock:
                self._opened.remove(connection)
            connection.close()

    def close(self) -> None:
        """Close the connections of every thread (at exit, or when a test is done)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()

    def __call__(self, environ, start_response):
        answer = None
        if environ.get("REQUEST_METHOD") == "GET" and self.engine.dialect.name == "postgresql":
            try:
                answer = self._answer(environ)
            except Exception:  # Flask answers instead, with its error page if it fails too
                log.exception("scan gateway: %s", environ.get("PATH_INFO"))
                self._drop_connection()
        if answer is None:
            return self.next_app(environ, start_response)
        headers, body = answer
        start_response("200 OK", headers)
        return [body]

    def _answer(self, environ) -> tuple[list[tuple[str, str]], bytes] | None:
        path = environ.get("PATH_INFO", "")
        short, digital = _SHORT_LINK.fullmatch(path), _DIGITAL_LINK.fullmatch(path)
        if not (short or digital) or not is_on(self.app):
            return None
        query = environ.get("QUERY_STRING", "")
        if "\x00" in path or "\x00" in query or "%00" in query:
            return None  # Flask refuses it (app/security.py)
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if self.session_cookies.intersection(cookies):
            return None  # maybe signed in, or a message waiting: pages are not shared
        config = self.app.config
        allowed = within_scan_limit(config, environ.get("REMOTE_ADDR") or "unknown")
        environ[SCAN_LIMIT_CHECKED] = allowed
        if not allowed:
            return None  # Flask answers 429
        serial = short.group(1) if short else digital.group(3)
        user_agent = environ.get("HTTP_USER_AGENT", "")
        # The same fingerprint Flask's path takes (traceability/views/public.py).
        scanner = scanner_fingerprint(
            config["SECRET_KEY"], environ.get("REMOTE_ADDR") or "unknown", user_agent, utcnow()
        )
        scan = record_visitor_scan(self._connection(), serial, user_agent, scanner)
        if scan is None:
            return None  # never issued, or a bot: Flask logs it
        environ[COUNTED_SCAN] = scan
        batch = scan.batch
        if digital and not batch.matches_digital_link(digital.group(1), digital.group(2)):
            return None  # Flask says the label is not genuine
        language = visitor_language(
            config,
            cookies.get(LANGUAGE_COOKIE),
            parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept),
        )
        page = shared_page(self.app, trace_page_key(batch.id, batch.version), language)
        if page is None:
            return None  # Flask renders it, and shares it
        body = fill_slots(page, {"genuineness": self._label_lines(scan, language)}).encode()
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("X-Page-Cache", "hit"),
            *security_headers(self.app.config),
            ("Vary", "Accept-Language, Cookie"),  # as Flask's hooks, then its session, add
        ]
        return headers, body

    def _label_lines(self, scan: ScanResult, language: str):
        translations = _translations(
            self.translations_directory, self.translations_domain, language
        )
        return label_lines(scan, translations, self.app.config)


def install_scan_gateway(app: Flask) -> None:
    app.wsgi_app = ScanGateway(app, app.wsgi_app)
