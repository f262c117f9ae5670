"""The dashboard's charts, drawn from the very numbers its tables show (the months table, the
provinces table, the period's reading): no second computation, only the year-before months
of the monthly series are read beside them, from the same summary table."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from flask_babel import gettext as _

from app.charts import COUNT, VND, Chart, Series, monthly_chart, ocop_chart, province_chart
from app.geo import all_provinces
from app.geo.province_map import province_map
from dashboard import confidentiality, metrics
from dashboard.periods import period_of
from dashboard.readings import Reading, Scope, monthly_series
from dashboard.services import Dashboard
from dashboard.tables import Table

#: The map's choices: the provinces table's column it is coloured by (found by its metric,
#: so a column added to the table shifts nothing), with its unit.
MAP_CHOICES = {
    "households": (metrics.listing("household"), COUNT),
    "revenue": (metrics.REVENUE_VND, VND),
}
DEFAULT_MAP = "households"
#: The months table's columns drawn as monthly series.
MONTHLY_COLUMNS = ((1, metrics.ORDERS, COUNT), (3, metrics.REVENUE_VND, VND))


def map_choice(raw: str | None) -> str:
    return raw if raw in MAP_CHOICES else DEFAULT_MAP


def _month_of(label: str) -> date:
    """The months table's "MM/YYYY" as the month's first day."""
    month, year = label.split("/")
    return date(int(year), int(month), 1)


def monthly_charts(board: Dashboard) -> list[Chart]:
    """Orders and revenue month by month; beside the year before's same months when that
    year has any figure (before the marketplace began, a second series says nothing)."""
    table = board.table("months")
    months = [_month_of(row[0]) for row in table.rows]
    filters = board.filters
    before = monthly_series(
        Scope(filters.province, filters.commune),
        date(months[0].year - 1, months[0].month, 1),
        period_of("month", date(months[-1].year - 1, months[-1].month, 1)).last,
    )
    titles = {
        metrics.ORDERS: _("Orders placed by month"),
        metrics.REVENUE_VND: _("Revenue by month"),
    }
    this_year = _("The twelve months to %(month)s", month=f"{months[-1]:%m/%Y}")
    year_before = _("The same months a year before")
    charts = []
    for column, metric, unit in MONTHLY_COLUMNS:
        series = [Series(this_year, [row[column] for row in table.rows])]
        if before:
            earlier = [before.get(f"{m.year - 1}-{m:%m}", {}).get(metric, 0) for m in months]
            series.append(Series(year_before, earlier))
        charts.append(monthly_chart(titles[metric], months, series, unit))
    return charts


def _province_values(table: Table, metric: str) -> dict[str, int | None]:
    """The provinces table's column holding `metric`, for every province by its code. A
    province the table does not list has no record at all: zero of everything, known. None
    stays only where a page hid the value (dashboard.confidentiality, on /figures)."""
    column = table.column_of(metric)
    listed = {row[0]: row[column] for row in table.rows}
    return {p.code: listed.get(p.display_name, 0) for p in all_provinces()}


def province_charts(table: Table, choice: str) -> list[Chart]:
    """The map coloured by the provinces table's chosen column, and the provinces side by
    side as bars of revenue."""
    metric, unit = MAP_CHOICES[choice]
    map_title = _("Map: households selling") if choice == "households" else _("Map: revenue")
    # The only values a page leaves unknown are those too few sellers would give away.
    fewest = confidentiality.MIN_SELLERS_SHOWN
    hidden = _("Hidden: < %(n)d sellers", n=fewest)
    charts = [
        province_map(map_title, _province_values(table, metric), unit, unknown_label=hidden),
        province_chart(_("Revenue by province"), _province_values(table, metrics.REVENUE_VND), VND),
    ]
    note = _("“—”: not shown, fewer than %(n)d households and cooperatives sell there.", n=fewest)
    return [replace(chart, note=note) if _has_unknown(chart) else chart for chart in charts]


def _has_unknown(chart: Chart) -> bool:
    return any(cell == "—" for row in chart.rows for cell in row[1:])


def stars_of(reading: Reading) -> dict[int, int]:
    """OCOP products by stars, from the split the OCOP table shows ("4:province")."""
    stars: Counter[int] = Counter()
    for dimension, count in reading.split(metrics.OCOP_PRODUCTS, stock=True).items():
        number = dimension.partition(":")[0]
        if number.isdigit():
            stars[int(number)] += count
    return dict(stars)


def ocop_stars_chart(board: Dashboard) -> Chart:
    return ocop_chart(_("OCOP products by stars"), stars_of(board.current))


def dashboard_charts(board: Dashboard, choice: str) -> dict[str, list[Chart]]:
    """The charts to draw above each table, by the table's key."""
    return {
        "months": monthly_charts(board),
        # Only for the whole country: a single province's bar or coloured shape would say
        # nothing its figures do not.
        "provinces": (
            province_charts(board.table("provinces"), choice)
            if board.filters.province is None
            else []
        ),
        "ocop": [ocop_stars_chart(board)],
    }
