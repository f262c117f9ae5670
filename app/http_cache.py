"""HTTP caching of the pages every visitor sees alike: home, catalog, product, farm, batch pages.

Such a page, answered to a visitor who is not signed in, says so: `Cache-Control: public,
max-age=HTTP_CACHE_SECONDS` and a weak ETag (a hash of the body, so any change the page shows,
a price, a diary entry, a recall, gives a new one). A browser or a standard reverse proxy may
keep it that long, then asks again with If-None-Match and gets a bodiless 304 when nothing
changed. `Vary: Accept-Language, Cookie` keeps each language apart, and a browser asks again
once its cookies change (signed in, another language, a cart).

A page is not the same for everyone, and gets `private, no-store`, when the user is signed in,
when it holds this visitor's CSRF token (a POST form, such as "add to cart"), when it sets
a cookie or shows a message, or when it shows what this visitor chose earlier
(`varies_by_visitor()`: the province a delivery fee is quoted for). Visitors switch language
with plain links (app/main.py), so the language switch holds no token. Label scans
(`/T/<serial>`) are never stored: each is counted.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, g, request, session
from flask_login import current_user

PRIVATE = "private, no-store"
#: How long past its max-age a shared cache (nginx) may still serve a page while the app is
#: down: long enough to ride out a restart, short enough that a batch page from before a
#: recall does not outlive an outage.
STALE_IF_ERROR_SECONDS = 300


def _same_for_everyone(response: Response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not current_user.is_authenticated
        and g.get("csrf_token") is None
        and not session.modified
        and not g.get("varies_by_visitor")
        and "Set-Cookie" not in response.headers
    )


def cacheable(response: Response) -> Response:
    """Mark `response` public with an ETag, and answer 304 to a matching If-None-Match;
    or private, when the page belongs to this user or visitor."""
    if not _same_for_everyone(response):
        response.headers["Cache-Control"] = PRIVATE
        return response
    response.cache_control.public = True
    response.vary.add("Cookie")  # the language cookie, or a session begun since, changes it
    response.cache_control.max_age = int(current_app.config["HTTP_CACHE_SECONDS"])
    response.cache_control.stale_if_error = STALE_IF_ERROR_SECONDS
    response.add_etag(weak=True)
    return response.make_conditional(request)


def varies_by_visitor() -> None:
    """Say, while a page is built, that it shows what this visitor chose earlier (kept in
    the session, such as the province a delivery fee is quoted for): it is theirs alone."""
    g.varies_by_visitor = True


def not_stored(response: Response) -> Response:
    """Neither a browser nor a proxy may keep or replay it (a label scan, counted each time)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def public_page(view: Callable) -> Callable:
    """Decorate a GET view whose page is the same for every visitor (see the module's note)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return cacheable(current_app.make_response(view(*args, **kwargs)))

    return wrapper
