"""The storefront's home page and the language switch shown on every page.

The home page is a shell: what fills it (produce in season, OCOP products, new farms) comes
from the packages that register it with `on_home` in their `init_app` (products does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import services as account_services
from app.clock import local_today
from app.extensions import db
from app.i18n import LANGUAGE_COOKIE, is_supported_language
from app.page_cache import shared_with_visitors
from app.web import back_url

bp = Blueprint("main", __name__)

ONE_YEAR = 365 * 24 * 3600

#: Given today's date, template variables for main/index.html.
HomeContent = Callable[[date], Mapping[str, object]]
_HOME = "nongsan_home_content"


def on_home(app: Flask, content: HomeContent) -> None:
    """A package adds to the home page; each one's variables are passed to its template."""
    app.extensions.setdefault(_HOME, []).append(content)


@bp.get("/")
@shared_with_visitors
def index():
    today = local_today()
    context: dict[str, object] = {}
    for content in current_app.extensions.get(_HOME, ()):
        context.update(content(today))
    return render_template("main/index.html", today=today, **context)


@bp.get("/healthz")
def healthz():
    """Liveness for load balancers and the benchmarks: no database, no template."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.post("/language")
def set_language():
    """Keep the chosen language in a cookie and, for a signed-in user, in the account."""
    language = request.form.get("lang", "")
    if is_supported_language(language) and current_user.is_authenticated:
        account_services.set_preferred_language(current_user, language)
        db.session.commit()
    return _language_cookie(language)


@bp.get("/language/<code>")
def choose_language(code: str):
    """A visitor's language links: only the cookie changes (no account, nothing to forge)."""
    return _language_cookie(code)


def _language_cookie(language: str):
    response = redirect(back_url())
    if not is_supported_language(language):
        flash(_("Unknown language."), "error")
        return response
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
