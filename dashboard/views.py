"""/admin/dashboard: the figures of the operator's province (or any, country-wide), their
tables as CSV and XLSX, and a button to refresh them now."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.operator_scope import is_country_wide, scope_name
from app.auth.roles import Role, role_required
from app.clock import local_today
from app.db import utcnow
from app.form_fields import ActionForm
from app.geo import all_provinces
from app.web import submit
from dashboard import services, views_charts
from dashboard.exports import XLSX_TYPE, table_csv, table_xlsx
from dashboard.figures import grouped
from dashboard.formatting import figure_change, figure_value
from dashboard.periods import PERIOD_KINDS
from dashboard.tables import TABLE_KEYS

bp = Blueprint("dashboard", __name__, template_folder="templates")


def _dashboard() -> services.Dashboard:
    operator = current_user._get_current_object()
    filters = services.read_filters(request.args, operator, local_today())
    return services.dashboard(operator, filters, local_today())


@bp.get("/admin/dashboard")
@role_required(Role.OPERATOR)
def dashboard():
    board = _dashboard()
    map_choice = views_charts.map_choice(request.args.get("map"))
    return render_template(
        "dashboard/dashboard.html",
        board=board,
        scope_name=scope_name(board.filters.province),
        provinces=all_provinces() if is_country_wide(current_user) else [],
        period_kinds=PERIOD_KINDS,
        groups=grouped(board.figures),
        figure_value=figure_value,
        figure_change=figure_change,
        refresh_form=ActionForm(formdata=None),
        charts=views_charts.dashboard_charts(board, map_choice),
        map_choice=map_choice,
    )


@bp.get("/admin/dashboard/<key>.<any(csv, xlsx):extension>")
@role_required(Role.OPERATOR)
def download(key: str, extension: str):
    if key not in TABLE_KEYS:
        abort(404)
    board = _dashboard()
    table = board.table(key)
    name = f"{key}-{board.filters.province or 'vn'}-{board.filters.period.first:%Y%m%d}"
    if extension == "csv":
        body, mimetype = table_csv(table), "text/csv; charset=utf-8"
    else:
        body, mimetype = table_xlsx(table), XLSX_TYPE
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )


@bp.post("/admin/dashboard/refresh")
@role_required(Role.OPERATOR)
def refresh():
    operator = current_user._get_current_object()
    form = ActionForm()
    if submit(form, lambda: services.request_refresh(operator, utcnow())):
        flash(_("The figures are being recalculated; reload the page in a minute."), "success")
    else:
        flash(_("The request could not be understood. Please go back and try again."), "error")
    return redirect(url_for("dashboard.dashboard", **request.args))
