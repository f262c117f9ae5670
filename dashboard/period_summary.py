"""Sum the daily figures by month, quarter and year, per commune, province and the whole
country, with INSERT … SELECT (the database does the adding; nothing is read into Python).

A `selling_*` metric's daily rows name a farm each: its period row counts the distinct farms
instead, which adds up over communes and provinces (a farm has one place) but not over
periods, hence one row per grain. The expiry metrics are dated by an expiry day and read for
the next 90 days only, from the daily rows: they are not summed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, delete, func, insert, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from dashboard import metrics
from dashboard.models import DailyFigure, PeriodFigure
from dashboard.periods import period_of

GRAINS = ("month", "quarter", "year")
#: In the order the statements below select them (the model's).
_COLUMNS = tuple(column.name for column in PeriodFigure.__table__.columns)


class period_start(FunctionElement):  # noqa: N801  (reads as a SQL function)
    """`period_start("quarter", DailyFigure.day)`: the first day of the day's quarter."""

    type = Date()
    # The grain is an attribute, not a clause: a cached statement would keep the first
    # grain's SQL for every grain. Refreshes run these statements once each.
    inherit_cache = False
    name = "period_start"

    def __init__(self, grain: str, day):
        if grain not in GRAINS:
            raise ValueError(grain)
        self.grain = grain
        super().__init__(day)


@compiles(period_start)
def _on_sqlite(element, compiler, **kw) -> str:
    day = compiler.process(element.clauses, **kw)
    if element.grain == "year":
        return f"date({day}, 'start of year')"
    if element.grain == "month":
        return f"date({day}, 'start of month')"
    back = f"((CAST(strftime('%m', {day}) AS INTEGER) - 1) % 3)"
    return f"date({day}, 'start of month', '-' || {back} || ' months')"


@compiles(period_start, "postgresql")
def _on_postgresql(element, compiler, **kw) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('{element.grain}', {day}) AS DATE)"


def summarise_periods(since: date | None = None, rebuilt_whole: tuple[str, ...] = ()) -> None:
    """Fill dashboard_period_figure from dashboard_daily_figure: all of it (`since` None),
    or every period of the `rebuilt_whole` metrics and the periods of the others that hold
    `since` or come after it."""
    for grain in GRAINS:
        if since is None:
            _sum_grain(grain, metrics.ALL, None)
            continue
        _sum_grain(grain, rebuilt_whole, None)
        recent = tuple(metric for metric in metrics.ALL if metric not in rebuilt_whole)
        _sum_grain(grain, recent, period_of(grain, since).first)


def _sum_grain(grain: str, wanted: tuple[str, ...], start: date | None) -> None:
    """Replace the grain's rows of the `wanted` metrics (from the period holding `start`):
    communes from the daily rows, provinces from their communes, the country from its
    provinces, then the products with the most revenue in each of them."""
    daily, period = DailyFigure, PeriodFigure
    in_period = [period.grain == grain]
    if start is not None:
        in_period.append(period.first_day >= start)
    if metrics.PRODUCT_REVENUE_VND in wanted:
        wanted = (*wanted, metrics.TOP_PRODUCT_REVENUE_VND)
    db.session.execute(delete(period).where(period.metric.in_(wanted), *in_period))
    # Each condition a range of an index: metric first, then the day.
    from_daily = [] if start is None else [daily.day >= start]
    first_day = period_start(grain, daily.day)
    place = (daily.province_code, daily.commune)
    head = (literal(grain, String(7)), literal("commune", String(8)), daily.metric, first_day)
    summed = tuple(m for m in wanted if m not in metrics.SELLING + metrics.EXPIRIES)
    selling = tuple(m for m in wanted if m in metrics.SELLING)
    statements = [
        select(*head, *place, daily.dimension, func.sum(daily.value))
        .where(daily.metric.in_(summed), *from_daily)
        .group_by(daily.metric, first_day, *place, daily.dimension),
        select(*head, *place, literal("", String(40)), func.count(daily.dimension.distinct()))
        .where(daily.metric.in_(selling), *from_daily)
        .group_by(daily.metric, first_day, *place),
    ]
    for level, below, keep_province in (
        ("province", "commune", True),
        ("country", "province", False),
    ):
        province = period.province_code if keep_province else literal("", String(2))
        statements.append(
            select(
                period.grain,
                literal(level, String(8)),
                period.metric,
                period.first_day,
                province,
                literal("", String(120)),
                period.dimension,
                func.sum(period.value),
            )
            .where(period.level == below, period.metric.in_(wanted), *in_period)
            .group_by(period.grain, period.metric, period.first_day, province, period.dimension)
        )
    if metrics.PRODUCT_REVENUE_VND in wanted:
        statements.append(_top_products(in_period))
    for statement in statements:
        db.session.execute(insert(period).from_select(_COLUMNS, statement))


#: Products named in a period's table; the others are summed in one row.
PRODUCTS_SHOWN = 50


def _top_products(in_period: list):
    """The PRODUCTS_SHOWN products with the most revenue in each period and place, copied
    under TOP_PRODUCT_REVENUE_VND: a year of the whole country sells tens of thousands."""
    period = PeriodFigure
    place = (period.grain, period.level, period.first_day, period.province_code, period.commune)
    rank = func.row_number().over(
        partition_by=place, order_by=(period.value.desc(), period.dimension)
    )
    ranked = (
        select(*place, period.dimension, period.value, rank.label("rank"))
        .where(period.metric == metrics.PRODUCT_REVENUE_VND, *in_period)
        .subquery()
    )
    return select(
        ranked.c.grain,
        ranked.c.level,
        literal(metrics.TOP_PRODUCT_REVENUE_VND, String(40)),
        ranked.c.first_day,
        ranked.c.province_code,
        ranked.c.commune,
        ranked.c.dimension,
        ranked.c.value,
    ).where(ranked.c.rank <= PRODUCTS_SHOWN)
