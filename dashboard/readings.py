"""Read the summary tables for one scope (the country, a province, a commune) and one
period: a handful of GROUP BY statements over a few hundred rows of dashboard_period_figure
(a month, quarter or year, at the scope's level), whatever the number of orders or scans. A
range of days reads its whole months there and the daily rows of its part months, and
counts its farms with an order from the daily rows: the slow path at a province's scale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import median

from sqlalchemy import func, select, text, union_all

from app.extensions import db
from dashboard import metrics, period_summary
from dashboard.local_day import month_of
from dashboard.models import DailyFigure, PeriodFigure
from dashboard.period_summary import GRAINS
from dashboard.periods import Period, period_of

#: "Expiring soon" looks this many days ahead of today.
EXPIRY_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Scope:
    province: str | None
    commune: str | None
    #: Read each province's rows of the summary rather than their sum (by_province).
    each_province: bool = False

    def conditions(self) -> list:
        conditions = []
        if self.province:
            conditions.append(DailyFigure.province_code == self.province)
        if self.commune:
            conditions.append(DailyFigure.commune == self.commune)
        return conditions


@dataclass
class Reading:
    """The summed rows of one period: flows over its days, stocks at its last day."""

    flows: dict[tuple[str, str], int] = field(default_factory=dict)
    stocks: dict[tuple[str, str], int] = field(default_factory=dict)
    distinct_farms: dict[str, int] = field(default_factory=dict)
    #: Revenue of all products in the period (flows hold the products asked for only).
    product_revenue_vnd: int = 0

    def flow(self, metric: str, dimension: str | None = None) -> int:
        return _total(self.flows, metric, dimension)

    def stock(self, metric: str, dimension: str | None = None) -> int:
        return _total(self.stocks, metric, dimension)

    def split(self, metric: str, *, stock: bool = False) -> dict[str, int]:
        source = self.stocks if stock else self.flows
        return {dim: value for (m, dim), value in source.items() if m == metric}

    @property
    def median_days_to_first_sale(self) -> float | None:
        """From the farms counted per number of days."""
        days = [
            int(dimension)
            for dimension, farms in self.split(metrics.FIRST_SALE_DAYS).items()
            for _ in range(farms)
        ]
        return median(days) if days else None


def _total(values: dict[tuple[str, str], int], metric: str, dimension: str | None) -> int:
    return sum(
        v for (m, d), v in values.items() if m == metric and (dimension is None or d == dimension)
    )


#: A year of the whole country may sell tens of thousands of products: their revenue is read
#: whole (goods_revenue_vnd) and by product for the products shown only (_product_revenue).
_FLOWS_BUT_PRODUCTS = tuple(m for m in metrics.FLOWS if m != metrics.PRODUCT_REVENUE_VND)


def read_period(scope: Scope, period: Period, products: Iterable[str] | None = None) -> Reading:
    """The period's figures. Revenue by product is read for the `products` given (product
    ids; none for an empty list), or by default for the PRODUCTS_SHOWN with the most."""
    _serial_plans()
    flows = _flow_sources(scope, period)
    reading = Reading()
    reading.flows = _sums(flows, _FLOWS_BUT_PRODUCTS, _by_dimension)
    reading.product_revenue_vnd = reading.flows.pop((metrics.GOODS_REVENUE_VND, ""), 0)
    reading.stocks = _sums(_stock_sources(scope, period.last), metrics.STOCKS, _by_dimension)
    reading.distinct_farms = _distinct_farms(scope, period)
    if products is None or products:
        # A month, quarter or year has its best sellers ranked by the refresh.
        ranked = period.kind in GRAINS and products is None
        for dimension, total in _product_revenue(flows, products, ranked).items():
            reading.flows[(metrics.PRODUCT_REVENUE_VND, dimension)] = total
    return reading


# Where a period's rows are --------------------------------------------------------------

#: A table and the conditions that pick a period's rows from it.
Source = tuple[type, list]


def _serial_plans() -> None:
    """PostgreSQL plans parallel workers for some of these reads (it guesses the summary's
    rows coarsely); starting them costs some 10 ms, fifty times reading a few hundred rows.
    Off until the transaction ends (SET LOCAL: safe behind PgBouncer); once a transaction."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    session = db.session()  # the request's own Session, behind the scoped proxy
    transaction = session.get_transaction()
    if transaction is None or session.info.get("serial_plans") is not transaction:
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        session.info["serial_plans"] = session.get_transaction()


def _level(scope: Scope) -> list:
    """A scope's rows of dashboard_period_figure: a commune's, a province's, the country's
    (or each province's)."""
    if scope.commune:
        level = "commune"
    else:
        level = "province" if scope.province or scope.each_province else "country"
    conditions = [PeriodFigure.level == level]
    if scope.province:
        conditions.append(PeriodFigure.province_code == scope.province)
    if scope.commune:
        conditions.append(PeriodFigure.commune == scope.commune)
    return conditions


def _days(scope: Scope, first: date, last: date) -> Source:
    return DailyFigure, [DailyFigure.day.between(first, last), *scope.conditions()]


def _months(scope: Scope, first: date, last: date) -> Source:
    """The whole months whose first days are from `first` to `last`."""
    return PeriodFigure, [
        PeriodFigure.grain == "month",
        PeriodFigure.first_day.between(first, last),
        *_level(scope),
    ]


def _flow_sources(scope: Scope, period: Period) -> list[Source]:
    """A month, quarter or year is one row per metric in dashboard_period_figure; a range
    its whole months there and the days before and after them in the daily table."""
    if period.kind in GRAINS:
        return [
            (
                PeriodFigure,
                [
                    PeriodFigure.grain == period.kind,
                    PeriodFigure.first_day == period.first,
                    *_level(scope),
                ],
            )
        ]
    first_whole = period.first if period.first.day == 1 else _next_month(period.first)
    after_whole = _month_start(period.last + timedelta(days=1))  # the month after the last whole
    if first_whole >= after_whole:
        return [_days(scope, period.first, period.last)]
    sources = [_months(scope, first_whole, after_whole - timedelta(days=1))]
    if period.first < first_whole:
        sources.append(_days(scope, period.first, first_whole - timedelta(days=1)))
    if after_whole <= period.last:
        sources.append(_days(scope, after_whole, period.last))
    return sources


def _stock_sources(scope: Scope, day: date) -> list[Source]:
    """Stocks on `day`: the changes of the months before its month, then of its days."""
    month = _month_start(day)
    return [
        (
            PeriodFigure,
            [PeriodFigure.grain == "month", PeriodFigure.first_day < month, *_level(scope)],
        ),
        _days(scope, month, day),
    ]


def _month_start(day: date) -> date:
    return period_of("month", day).first


def _next_month(day: date) -> date:
    return period_of("month", day).last + timedelta(days=1)


# Adding them up -------------------------------------------------------------------------


def _by_dimension(model) -> tuple:
    return (model.metric, model.dimension)


def _by_metric(model) -> tuple:
    return (model.metric,)


def _by_province(model) -> tuple:
    return (model.province_code, model.metric)


def _by_month(model) -> tuple:
    day = model.first_day if model is PeriodFigure else model.day
    return (month_of(day), model.metric)


def _union(sources: list[Source], wanted: Iterable[str], keys, *extra_where):
    """The sources' rows of the wanted metrics as one subquery: key0, key1…, value."""
    parts = [
        select(
            *(column.label(f"key{i}") for i, column in enumerate(keys(model))),
            model.value.label("value"),
        ).where(model.metric.in_(tuple(wanted)), *where, *(w(model) for w in extra_where))
        for model, where in sources
    ]
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()


def _sums(sources: list[Source], wanted: Iterable[str], keys) -> dict:
    """Sum of the value by the key columns; a key of one column is itself, not a tuple."""
    rows = _union(sources, wanted, keys)
    key_columns = [rows.c[f"key{i}"] for i in range(len(keys(DailyFigure)))]
    statement = select(*key_columns, func.sum(rows.c.value)).group_by(*key_columns)
    sums = {}
    for *key, total in db.session.execute(statement):
        sums[tuple(key) if len(key) > 1 else key[0]] = int(total)
    return sums


def _distinct_farms(scope: Scope, period: Period) -> dict[str, int]:
    """Farms with an order in the period, by metric: counted once per grain by the refresh;
    for a range, the distinct farms of its daily rows."""
    if period.kind in GRAINS:
        return _sums(_flow_sources(scope, period), metrics.SELLING, _by_metric)
    statement = (
        select(DailyFigure.metric, func.count(DailyFigure.dimension.distinct()))
        .where(
            DailyFigure.metric.in_(metrics.SELLING),
            DailyFigure.day.between(period.first, period.last),
            *scope.conditions(),
        )
        .group_by(DailyFigure.metric)
    )
    return {metric: int(farms) for metric, farms in db.session.execute(statement)}


def _product_revenue(
    sources: list[Source], products: Iterable[str] | None, ranked: bool
) -> dict[str, int]:
    """Revenue by product: of the products given, or of the PRODUCTS_SHOWN with the most
    (`ranked`: as the refresh ranked them; else ranked here by the database)."""
    chosen = () if products is None else (lambda model: model.dimension.in_(tuple(products)),)
    metric = metrics.TOP_PRODUCT_REVENUE_VND if ranked else metrics.PRODUCT_REVENUE_VND
    rows = _union(sources, (metric,), lambda m: (m.dimension,), *chosen)
    total = func.sum(rows.c.value)
    statement = select(rows.c.key0, total).group_by(rows.c.key0)
    if products is None:
        statement = statement.order_by(total.desc(), rows.c.key0).limit(
            period_summary.PRODUCTS_SHOWN
        )
    return {dimension: int(value) for dimension, value in db.session.execute(statement)}


def expiring_soon(scope: Scope, today: date) -> dict[str, int]:
    """OCOP decisions and farm certificates (verified ones) that expire from today to 90
    days ahead, by metric."""
    rows = db.session.execute(
        select(DailyFigure.metric, func.sum(DailyFigure.value))
        .where(
            DailyFigure.metric.in_(metrics.EXPIRIES),
            DailyFigure.day.between(today, today + timedelta(days=EXPIRY_WINDOW_DAYS)),
            *scope.conditions(),
        )
        .group_by(DailyFigure.metric)
    )
    return {metric: int(total) for metric, total in rows}


def communes_with_figures(province: str) -> list[str]:
    """The communes of the province's farms that have listed a product, for the filter."""
    listing = tuple(metrics.listing(kind) for kind in metrics.FARM_KINDS)
    return sorted(
        db.session.scalars(
            select(DailyFigure.commune)
            .where(DailyFigure.metric.in_(listing), DailyFigure.province_code == province)
            .distinct()
        )
    )


#: The flows of the monthly series and the provinces table.
SERIES_METRICS = (metrics.ORDERS, metrics.PAID_ORDERS, metrics.REVENUE_VND, metrics.SCANS)
PROVINCE_STOCKS = (
    metrics.listing("household"),
    metrics.listing("cooperative"),
    metrics.PRODUCTS_LISTED,
    metrics.OCOP_PRODUCTS,
)


def monthly_series(scope: Scope, first: date, last: date) -> dict[str, dict[str, int]]:
    """Month ("2027-03") -> metric -> sum, for the series' flows, from `first` to `last`."""
    _serial_plans()
    series: dict[str, dict[str, int]] = {}
    sources = _flow_sources(scope, Period("range", first, last))
    for (month_key, metric), total in _sums(sources, SERIES_METRICS, _by_month).items():
        series.setdefault(month_key, {})[metric] = total
    return series


def by_province(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """Province -> metric -> value: the series' flows over the period, and the stocks of
    sellers, products and OCOP at its last day."""
    _serial_plans()
    provinces: dict[str, dict[str, int]] = {}
    scope = replace(scope, each_province=True)
    for sources, wanted in (
        (_flow_sources(scope, period), SERIES_METRICS),
        (_stock_sources(scope, period.last), PROVINCE_STOCKS),
    ):
        for (province, metric), total in _sums(sources, wanted, _by_province).items():
            provinces.setdefault(province, {})[metric] = total
    return provinces
