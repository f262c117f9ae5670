"""The public page's headline figures: for the whole country or one province, the latest
full month and the year so far, read from the summary table only (no login, counts and
sums, never a person's data). The values are the dashboard's own (dashboard.figures)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from app.geo import all_provinces
from dashboard import metrics, tables
from dashboard.confidentiality import too_few_sellers
from dashboard.figures import Figure, build_figures, reworded
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
#: What too few sellers would give away (dashboard.confidentiality).
CONFIDENTIAL_KEYS = ("orders", "paid_orders", "revenue_vnd")
#: The definitions whose dashboard wording points at its tables by category, OCOP level,
#: payment method and delivery province, which this page does not have: its own wording.
PUBLIC_DEFINITIONS = {
    "products_listed": _l(
        "Products published now, counted from the day they were published; at the last day "
        "of the period."
    ),
    "ocop_products": _l(
        "Published products whose OCOP decision an operator verified, from the day it was "
        "verified until the day it expires; at the last day of the period. By stars on the "
        "lines above."
    ),
    "revenue_vnd": _l("The totals (goods and delivery) of the transactions paid, in đồng."),
}
#: The provinces table's columns that tell whether a province has too few sellers, and
#: those hidden then (by their metric, so a column added to the table shifts nothing).
SELLER_METRICS = (metrics.listing("household"), metrics.listing("cooperative"))
MONEY_METRICS = (metrics.ORDERS, metrics.PAID_ORDERS, metrics.REVENUE_VND)


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
    """The year to today: its flows are the year's own (nothing is dated after today, so
    the summary's row for the year is read), its stocks those of today."""
    return Period("year", date(today.year, 1, 1), today)


def _column(scope: Scope, period: Period) -> Column:
    reading = read_period(scope, period, products=())  # no product is named here
    # No comparison and nothing expiring on this page: only the period's own values.
    built = reworded(build_figures(reading, Reading(), {}), PUBLIC_DEFINITIONS)
    figures = {f.key: f for f in built if f.key in HEADLINE_KEYS}
    sellers = (figures["households_listing"].current, figures["cooperatives_listing"].current)
    if too_few_sellers(*sellers):
        for key in CONFIDENTIAL_KEYS:
            figures[key] = replace(figures[key], current=None)
    return Column(period, figures, reading)


def _confidential_provinces(table: tables.Table) -> tables.Table:
    """The provinces side by side with the money of those with too few sellers unknown, and
    those listed after the others (ranked by revenue, their place would give it away)."""
    sellers = [table.column_of(metric) for metric in SELLER_METRICS]
    money = [table.column_of(metric) for metric in MONEY_METRICS]
    revenue = table.column_of(metrics.REVENUE_VND)
    # A province with no record is listed too, with zeros: no one sells there, so the rule
    # hides its money like any other's (unknown, not "no data").
    listed = {row[0] for row in table.rows}
    for province in all_provinces():
        if province.display_name not in listed:
            table.rows.append([province.display_name, *[0] * (len(table.columns) - 1)])
    for row in table.rows:
        if too_few_sellers(*(row[column] for column in sellers)):
            for column in money:
                row[column] = None
    table.rows.sort(key=lambda row: row[revenue] is None)  # stable: revenue order kept
    return table


def public_figures(province: str | None, today: date) -> PublicFigures:
    """Nine statements, whatever the province or the number of records."""
    scope = Scope(province, None)
    year = year_so_far(today)
    return PublicFigures(
        province=province,
        month=_column(scope, latest_full_month(today)),
        year=_column(scope, year),
        provinces=_confidential_provinces(
            tables.provinces_table(by_province(Scope(None, None), year))
        ),
    )
