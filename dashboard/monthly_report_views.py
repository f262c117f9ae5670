"""/admin/dashboard/monthly-report.pdf: the monthly report of a province (or the country) and
month, for an operator who sees that scope; the link the first-of-the-month mail carries."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import current_user

from app.auth.roles import Role, role_required
from app.clock import local_today
from dashboard import services
from dashboard.monthly_report import file_name, monthly_report

bp = Blueprint("monthly_report", __name__)


@bp.get("/admin/dashboard/monthly-report.pdf")
@role_required(Role.OPERATOR)
def download():
    operator = current_user._get_current_object()
    today = local_today()
    # The dashboard's own reading of province and day: the report is of the month holding it.
    filters = services.read_filters(
        {"province": request.args.get("province", ""), "on": request.args.get("on", "")},
        operator,
        today,
    )
    month = filters.period.first
    body = monthly_report(operator, filters.province, month, today)
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(filters.province, month)}"'
        },
    )
