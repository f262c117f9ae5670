"""The operators' province dashboard: the figures the provinces report, kept in summary
tables that a job refreshes, with their definitions and CSV/XLSX downloads."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register /admin/dashboard, /figures, /open-data, the monthly report and the jobs
    (imported for what importing does)."""
    from dashboard import (  # noqa: F401
        jobs,
        monthly_report_mailing,
        monthly_report_views,
        open_data_views,
        views,
        views_public,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(open_data_views.bp)
    app.register_blueprint(monthly_report_views.bp)
    app.register_blueprint(views_public.bp)
