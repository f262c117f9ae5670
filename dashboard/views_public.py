"""/figures: the headline figures per province for anyone, with the map, the provinces side
by side, the freshness, the definitions and links to the open data. Cacheable by shared
caches: it is the same for every visitor and holds no form token."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.clock import local_today
from app.geo import all_provinces, province_by_code
from app.http_cache import public_page
from dashboard import confidentiality, views_charts
from dashboard.formatting import figure_value
from dashboard.public_figures import HEADLINE_KEYS, public_figures
from dashboard.refresh import last_refreshed_at

bp = Blueprint("public_figures", __name__, template_folder="templates")


@bp.record_once
def _link_from_every_footer(state) -> None:
    """The site's footer (app's base.html, which knows no domain package) lists the links
    the packages give it in the `footer_links` template global: this page is one."""
    links = state.app.jinja_env.globals.setdefault("footer_links", [])
    links.append(("public_figures.page", _l("Province figures")))


@bp.get("/figures")
@public_page
def page():
    raw = (request.args.get("province") or "").strip()
    province = raw if province_by_code(raw) else None
    problem = (
        _("There is no province “%(value)s”.", value=raw[:40]) if raw and not province else None
    )
    choice = views_charts.map_choice(request.args.get("map"))
    figures = public_figures(province, local_today())
    return render_template(
        "dashboard/public_figures.html",
        figures=figures,
        keys=HEADLINE_KEYS,
        stars=(
            views_charts.stars_of(figures.month.reading),
            views_charts.stars_of(figures.year.reading),
        ),
        province=province_by_code(province) if province else None,
        provinces=all_provinces(),
        problem=problem,
        map_choice=choice,
        charts=views_charts.province_charts(figures.provinces, choice),
        figure_value=figure_value,
        refreshed_at=last_refreshed_at(),
        min_sellers=confidentiality.MIN_SELLERS_SHOWN,
    )
