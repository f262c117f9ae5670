"""On the first of the month, each province office's operators get a mail with the link to last
month's report (country-wide operators: the country's), once per scope and month.

The mail carries a link, not the PDF: the outbox keeps every message's text for operators to
read at /admin/outbox, and a PDF forwarded by mail leaves the operator's scope for good. The
link opens /admin/dashboard/monthly-report.pdf, which asks for the sign-in and checks the
scope like the dashboard, and builds the report from the figures as they are then.

"Once" is a row per scope and month (a unique primary key) inserted in the transaction that
queues the mails: a second run, or a second worker racing the first, fails that insert and
queues nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Date, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import User
from app.auth.operator_scope import scope_name
from app.auth.roles import Role
from app.clock import local_today
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.jobs import crontab, periodic_job
from app.messaging import queue_mail
from dashboard.periods import period_of

#: The scope key of the whole country's report (province codes are two digits).
COUNTRY = ""
MAIL_KIND = "monthly_report"


class MonthlyReportMailing(db.Model):
    """That the operators of a scope were sent the link to a month's report."""

    __tablename__ = "dashboard_monthly_report_mailing"

    #: A province code, or COUNTRY.
    scope: Mapped[str] = mapped_column(String(2), primary_key=True)
    #: The first day of the month reported on.
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    mailed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)


def _operators_by_scope() -> dict[str, list[User]]:
    """Active operators with an e-mail address, by scope."""
    operators = db.session.scalars(
        select(User)
        .where(User.role == Role.OPERATOR.value, User.active.is_(True), User.email.is_not(None))
        .order_by(User.id)
    )
    scopes: dict[str, list[User]] = {}
    for operator in operators:
        scopes.setdefault(operator.operator_province_code or COUNTRY, []).append(operator)
    return scopes


def report_link(province: str | None, month: date) -> str:
    arguments = {"on": month.isoformat()}
    if province:
        arguments["province"] = province
    # A job has no request: build the path as one would.
    with current_app.test_request_context():
        path = url_for("monthly_report.download", **arguments)
    return current_app.config["BASE_URL"] + path


def _queue(operator: User, province: str | None, month: date) -> None:
    link = report_link(province, month)
    with force_locale(operator.preferred_language):
        month_label = period_of("month", month).label()
        place = scope_name(province)
        subject = _("Monthly report %(month)s: %(place)s", month=month_label, place=place)
        body = _(
            "Hello,\n\nThe report on %(place)s for %(month)s is ready (the figures, tables "
            "and their definitions, as a PDF). Sign in to download it:\n\n%(link)s\n\n"
            "Nông Sản Số",
            place=place,
            month=month_label,
            link=link,
        )
    queue_mail(operator.email, subject, body, kind=MAIL_KIND, user_id=operator.id)


def mail_monthly_reports(today: date) -> int:
    """Mail the link to last month's report to each scope's operators, unless they were
    already sent it; how many mails were queued. Commits each scope's row with its mails."""
    month = period_of("month", date(today.year, today.month, 1) - timedelta(days=1)).first
    queued = 0
    for scope, operators in sorted(_operators_by_scope().items()):
        try:
            with db.session.begin_nested():
                db.session.add(
                    MonthlyReportMailing(scope=scope, month=month, recipients=len(operators))
                )
        except IntegrityError:  # already sent, or another worker is sending them now
            continue
        for operator in operators:
            _queue(operator, scope or None, month)
        db.session.commit()
        queued += len(operators)
    return queued


# Huey reads the crontab in UTC: 00:00–16:00 UTC on the 1st is 07:00–23:00 in Vietnam on the
# 1st. Hourly so that a worker down at seven still sends them; the row makes repeats no-ops.
@periodic_job(crontab(day="1", hour="0-16", minute="0"))
def mail_monthly_reports_job() -> int:
    return mail_monthly_reports(local_today())
