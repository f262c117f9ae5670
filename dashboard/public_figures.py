"""The public page's headline figures: for the whole country or one province, the latest
full month and the year so far, read from the summary table only (no login, counts and
sums, never a person's data). The values are the dashboard's own (dashboard.figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dashboard import tables
from dashboard.figures import Figure, build_figures
from dashboard.periods import Period, period_of
from dashboard.readings import Reading, Scope, by_province, read_period

#: The figures the provinces report publicly, in the page's order.
HEADLINE_KEYS = (
    "households_listing",
    "cooperatives_listing",
    "products_listed",
    "ocop_products",
    "orders",
    "paid_orders",
    "revenue_vnd",
    "labels",
    "scans",
)


@dataclass(frozen=True)
class Column:
    """One period's headline figures."""

    period: Period
    figures: dict[str, Figure]
    reading: Reading


@dataclass(frozen=True)
class PublicFigures:
    province: str | None
    month: Column
    year: Column
    #: The provinces side by side over the year so far (for the map and the bars).
    provinces: tables.Table


def latest_full_month(today: date) -> Period:
    return period_of("month", date(today.year, today.month, 1) - timedelta(days=1))


def year_so_far(today: date) -> Period:
    return Period("range", date(today.year, 1, 1), today)


def _column(scope: Scope, period: Period) -> Column:
    reading = read_period(scope, period)
    # No comparison and nothing expiring on this page: only the period's own values.
    figures = build_figures(reading, Reading(), {})
    return Column(period, {f.key: f for f in figures if f.key in HEADLINE_KEYS}, reading)


def public_figures(province: str | None, today: date) -> PublicFigures:
    """Nine statements, whatever the province or the number of records."""
    scope = Scope(province, None)
    year = year_so_far(today)
    return PublicFigures(
        province=province,
        month=_column(scope, latest_full_month(today)),
        year=_column(scope, year),
        provinces=tables.provinces_table(by_province(Scope(None, None), year)),
    )
