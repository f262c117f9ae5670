"""The storefront's home page and the language switch shown on every page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request
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


@bp.get("/")
@shared_with_visitors
def index():
    # The storefront's shell lives here; what fills it comes from the domains' queries.
    from farms.queries import newest_farms
    from products.catalog import in_season_now, ocop_products

    today = local_today()
    return render_template(
        "main/index.html",
        in_season=in_season_now(today),
        ocop=ocop_products(today),
        farms=newest_farms(),
        today=today,
    )


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
