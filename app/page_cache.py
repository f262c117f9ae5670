"""A short-lived cache of public listing pages, for visitors who are not signed in.

Rendering a catalog page costs ~20 ms of Python on top of its queries, and most visitors
see the same first pages of the same searches. For a few seconds (`PAGE_CACHE_SECONDS`)
an anonymous visitor gets the page another visitor got, in the same language. Signed-in
users, visitors with a message waiting, and anything but a plain 200 are never cached, so
a farmer always sees their own changes at once; prices and stock are checked again at
checkout, so a page that is a few seconds old cannot sell at a stale price.

The store is Redis when `REDIS_URL` is set (shared by every worker), otherwise each worker
keeps its own small in-memory store; both forget pages after `PAGE_CACHE_SECONDS`. Redis
holds each page as its UTF-8 bytes: nothing read back from it is ever unpickled, so whoever
can write to Redis cannot run code in the application.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Protocol

from cachelib import SimpleCache
from flask import (
    Flask,
    Response,
    current_app,
    g,
    get_flashed_messages,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from app.http_cache import public_page
from app.inline_styles import inline_styles

log = logging.getLogger(__name__)

_EXTENSION = "nongsan_page_cache"


class PageStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, page: str) -> object: ...
    def clear(self) -> object: ...


class RedisPageStore:
    """Pages in Redis as UTF-8 bytes, each forgotten after `seconds` (cachelib's RedisCache
    would pickle them). Redis being away is a miss, never an error page."""

    # "v2": copies the pickling store left behind are never read.
    PREFIX = "nongsan:page:v2:"

    def __init__(self, client, seconds: int):
        self.client = client
        self.seconds = seconds

    def get(self, key: str) -> str | None:
        import redis

        try:
            raw = self.client.get(self.PREFIX + key)
        except redis.RedisError:
            log.warning("page cache: Redis unavailable", exc_info=True)
            return None
        if raw is None:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def set(self, key: str, page: str) -> None:
        import redis

        try:
            self.client.set(self.PREFIX + key, page.encode("utf-8"), ex=self.seconds)
        except redis.RedisError:
            log.warning("page cache: Redis unavailable", exc_info=True)

    def clear(self) -> None:
        keys = list(self.client.scan_iter(match=self.PREFIX + "*", count=500))
        if keys:
            self.client.delete(*keys)


def init_page_cache(app: Flask) -> None:
    seconds = int(app.config.get("PAGE_CACHE_SECONDS", 0))
    if seconds <= 0:
        app.extensions[_EXTENSION] = None
        return
    store: PageStore
    if app.config.get("REDIS_URL"):
        import redis

        store = RedisPageStore(redis.Redis.from_url(app.config["REDIS_URL"]), seconds)
    else:
        # In the worker's own memory: nothing another process could have written.
        store = SimpleCache(threshold=2000, default_timeout=seconds)
    app.extensions[_EXTENSION] = store


def _store() -> PageStore | None:
    return current_app.extensions.get(_EXTENSION)


def _visitor_may_share_pages() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def _carries_a_token() -> bool:
    """True when the page just rendered holds this visitor's CSRF token (a POST form): such
    a page is never shared. Visitors' pages use links and GET forms instead."""
    return g.get("csrf_token") is not None


def _page_key() -> str:
    # The full path (with its query string) is rendered into the page, so it is the key.
    # The inlined stylesheet's digest too: a page kept from before an edit would carry a
    # <style> whose hash the current policy no longer allows. (No page kept here inlines it
    # today, only render_shared's label pages do; this keeps a future one safe.)
    raw = f"{request.endpoint}\n{get_locale()}\n{request.full_path}\n{inline_styles().digest()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def shared_with_visitors(view: Callable) -> Callable:
    """Serve this GET view from the page cache to visitors who are not signed in; such a page
    is the same for every visitor, so browsers and proxies may keep it too (app/http_cache.py)."""

    @public_page
    @wraps(view)
    def wrapper(*args, **kwargs):
        store = _store()
        if store is None or not _visitor_may_share_pages():
            return view(*args, **kwargs)
        key = _page_key()
        cached = store.get(key)
        if cached is not None:
            response = Response(cached)
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html":
            if not get_flashed_messages() and not _carries_a_token():
                store.set(key, response.get_data(as_text=True))
        response.headers["X-Page-Cache"] = "miss"
        return response

    return wrapper


def _slot(name: str) -> Markup:
    return Markup(f"\x00slot:{name}\x00")


def _shared_key(key: str, language: str) -> str:
    styles = inline_styles().digest()  # as in _page_key
    return hashlib.sha256(f"{key}\n{language}\n{styles}".encode()).hexdigest()


def _fill_slots(page: str, slots: dict[str, Markup]) -> str:
    for name, value in slots.items():
        page = page.replace(_slot(name), value)
    return page


def render_shared(
    key: str, template: str, context: Callable[[], dict], slots: dict[str, Markup]
) -> tuple[str, str]:
    """Render `template` once per key and language for visitors who are not signed in, and
    fill in per request what differs: the `slots` (HTML).

    `context` is called only when the page is rendered. Returns the page and "hit" or "miss"
    ("" when the page is not shared: a signed-in user, or the cache is off).
    """
    store = _store()
    if store is None or not _visitor_may_share_pages():
        return render_template(template, **context(), **slots), ""
    full_key = _shared_key(key, str(get_locale()))
    page, state = store.get(full_key), "hit"
    if page is None:
        state = "miss"
        page = render_template(template, **context(), **{name: _slot(name) for name in slots})
        if not _carries_a_token():
            store.set(full_key, page)
    return _fill_slots(page, slots), state
