"""The operators' dashboard: which figures an operator may see (their province, or any for
a country-wide operator), for which period and commune, and the tables built from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.after_commit import after_commit
from app.auth.models import User
from app.auth.operator_scope import ensure_country_wide, ensure_covers, scope_province
from app.auth.roles import Role, ensure_role
from app.extensions import db
from app.geo import province_by_code
from dashboard import metrics, tables
from dashboard.figures import Figure, build_figures
from dashboard.jobs import refresh_dashboard_figures_now
from dashboard.periods import LONGEST_RANGE_DAYS, PERIOD_KINDS, Period, period_of, read_day
from dashboard.readings import (
    Reading,
    Scope,
    by_province,
    communes_with_figures,
    expiring_soon,
    monthly_series,
    read_period,
)
from dashboard.refresh import last_refreshed_at
from products.models import Product


@dataclass
class DashboardFilters:
    #: None: the whole country (country-wide operators only).
    province: str | None
    period: Period
    commune: str | None = None
    #: What was wrong in the address and ignored, said to the operator.
    problems: list[str] = field(default_factory=list)

    def arguments(self) -> dict[str, str]:
        """The filters as query arguments, for the download links."""
        chosen = {
            "province": self.province,
            "period": self.period.kind,
            "on": self.period.first.isoformat() if self.period.kind != "range" else None,
            "from": self.period.first.isoformat() if self.period.kind == "range" else None,
            "to": self.period.last.isoformat() if self.period.kind == "range" else None,
            "commune": self.commune,
        }
        return {name: value for name, value in chosen.items() if value}


def read_filters(args: Mapping[str, str], operator: User, today: date) -> DashboardFilters:
    """The filters from the address; a province operator's province by default. A value that
    names nothing is ignored and explained. Another province is kept: the service refuses it."""
    problems: list[str] = []
    raw_province = (args.get("province") or "").strip()
    province = scope_province(operator)
    if province_by_code(raw_province):
        province = raw_province
    elif raw_province:
        # What is shown instead (the operator's province, or the whole country) is in the title.
        problems.append(_("There is no province “%(value)s”.", value=raw_province[:40]))
    kind = args.get("period") or "month"
    if kind not in PERIOD_KINDS:
        problems.append(_("There is no period “%(value)s”; the month is shown.", value=kind[:40]))
        kind = "month"
    period = _read_period(kind, args, today, problems)
    commune = (args.get("commune") or "").strip()[:120] or None
    return DashboardFilters(province, period, commune, problems)


def _read_period(kind: str, args: Mapping[str, str], today: date, problems: list[str]) -> Period:
    if kind == "range":
        first, last = read_day(args.get("from")), read_day(args.get("to"))
        if first is None or last is None or first > last:
            problems.append(_("Choose a first and a last day, the first before the last."))
        elif (last - first).days >= LONGEST_RANGE_DAYS:
            problems.append(_("A range can cover at most ten years."))
        else:
            return Period("range", first, last)
        return period_of("month", today)
    raw = args.get("on")
    day = read_day(raw)
    if raw and day is None:
        problems.append(_("“%(value)s” is not a date (year-month-day); it was ignored.", value=raw))
    return period_of(kind, day or today)


@dataclass
class Dashboard:
    filters: DashboardFilters
    figures: list[Figure]
    tables: list[tables.Table]
    communes: list[str]
    refreshed_at: datetime | None
    #: The period's reading, for the charts drawn from the same figures as the tables.
    current: Reading | None = None

    def table(self, key: str) -> tables.Table:
        return next(table for table in self.tables if table.key == key)


def ensure_may_see(operator: User, province: str | None) -> None:
    """The whole country's figures are for country-wide operators; a province's for its own
    operators too (another province does not exist for them)."""
    ensure_role(operator, Role.OPERATOR)
    if province is None:
        ensure_country_wide(operator)
    else:
        ensure_covers(operator, province)


def dashboard(operator: User, filters: DashboardFilters, today: date) -> Dashboard:
    """The figures of the filters' scope and period beside the previous period's."""
    ensure_may_see(operator, filters.province)
    communes = communes_with_figures(filters.province) if filters.province else []
    if filters.commune and filters.commune not in communes:
        filters.problems.append(
            _(
                "No farm of this province lists produce in “%(value)s”; the whole province is "
                "shown.",
                value=filters.commune,
            )
        )
        filters.commune = None
    scope = Scope(filters.province, filters.commune)
    current = read_period(scope, filters.period)
    # The previous period's revenue of the products shown, to compare them.
    shown = current.split(metrics.PRODUCT_REVENUE_VND)
    previous = read_period(scope, filters.period.previous(), products=shown)
    figures = build_figures(current, previous, expiring_soon(scope, today))
    months = _twelve_months(filters.period.last)
    return Dashboard(
        filters=filters,
        figures=figures,
        tables=[
            tables.figures_table(figures),
            tables.months_table(
                monthly_series(scope, months[0], filters.period.last), _month_keys(months)
            ),
            tables.provinces_table(by_province(scope, filters.period)),
            tables.categories_table(current, previous),
            tables.ocop_table(current, previous),
            tables.payment_methods_table(current, previous),
            tables.delivery_provinces_table(current, previous),
            tables.products_table(current, previous, _product_names(current, previous)),
        ],
        communes=communes,
        refreshed_at=last_refreshed_at(),
        current=current,
    )


def _twelve_months(last: date) -> list[date]:
    """The first days of the twelve months ending with the one holding `last`."""
    firsts = [date(last.year, last.month, 1)]
    while len(firsts) < 12:
        firsts.insert(0, period_of("month", firsts[0] - timedelta(days=1)).first)
    return firsts


def _month_keys(firsts: list[date]) -> list[str]:
    return [f"{first:%Y-%m}" for first in firsts]


def _product_names(*readings) -> dict[str, str]:
    ids = {
        int(dimension)
        for reading in readings
        for dimension in reading.split(metrics.PRODUCT_REVENUE_VND)
        if dimension
    }
    if not ids:
        return {}
    rows = db.session.execute(select(Product.id, Product.name).where(Product.id.in_(ids)))
    return {str(product_id): name for product_id, name in rows}


def request_refresh(operator: User, asked_at: datetime) -> None:
    """Queue a rebuild of the figures after the request's commit (any operator may ask:
    the figures are the same for everyone, only what each sees of them differs)."""
    ensure_role(operator, Role.OPERATOR)
    after_commit(refresh_dashboard_figures_now, asked_at.isoformat())
