"""Read the summary table for one scope (province, commune) and one period: a handful of
GROUP BY statements over a few thousand rows, whatever the number of orders or scans."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from sqlalchemy import func, select

from app.extensions import db
from dashboard import metrics
from dashboard.local_day import month_of
from dashboard.models import DailyFigure
from dashboard.periods import Period

#: "Expiring soon" looks this many days ahead of today.
EXPIRY_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Scope:
    province: str | None
    commune: str | None

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
    days_to_first_sale: list[int] = field(default_factory=list)

    def flow(self, metric: str, dimension: str | None = None) -> int:
        return _total(self.flows, metric, dimension)

    def stock(self, metric: str, dimension: str | None = None) -> int:
        return _total(self.stocks, metric, dimension)

    def split(self, metric: str, *, stock: bool = False) -> dict[str, int]:
        source = self.stocks if stock else self.flows
        return {dim: value for (m, dim), value in source.items() if m == metric}

    @property
    def median_days_to_first_sale(self) -> float | None:
        return median(self.days_to_first_sale) if self.days_to_first_sale else None


def _total(values: dict[tuple[str, str], int], metric: str, dimension: str | None) -> int:
    return sum(
        v for (m, d), v in values.items() if m == metric and (dimension is None or d == dimension)
    )


def read_period(scope: Scope, period: Period) -> Reading:
    where = scope.conditions()
    in_period = DailyFigure.day.between(period.first, period.last)
    reading = Reading()
    for metric, dimension, total in db.session.execute(
        select(DailyFigure.metric, DailyFigure.dimension, func.sum(DailyFigure.value))
        .where(DailyFigure.metric.in_(metrics.FLOWS), in_period, *where)
        .group_by(DailyFigure.metric, DailyFigure.dimension)
    ):
        reading.flows[(metric, dimension)] = int(total)
    for metric, dimension, total in db.session.execute(
        select(DailyFigure.metric, DailyFigure.dimension, func.sum(DailyFigure.value))
        .where(DailyFigure.metric.in_(metrics.STOCKS), DailyFigure.day <= period.last, *where)
        .group_by(DailyFigure.metric, DailyFigure.dimension)
    ):
        reading.stocks[(metric, dimension)] = int(total)
    for metric, farms in db.session.execute(
        select(DailyFigure.metric, func.count(DailyFigure.dimension.distinct()))
        .where(DailyFigure.metric.in_(metrics.SELLING), in_period, *where)
        .group_by(DailyFigure.metric)
    ):
        reading.distinct_farms[metric] = int(farms)
    # Stored plus one (see dashboard.refresh): a sale on the day of registration is 0 days.
    reading.days_to_first_sale = [
        int(value) - 1
        for value in db.session.scalars(
            select(DailyFigure.value).where(
                DailyFigure.metric == metrics.FIRST_SALE_DAYS, in_period, *where
            )
        )
    ]
    return reading


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
    month = month_of(DailyFigure.day)
    series: dict[str, dict[str, int]] = {}
    for month_key, metric, total in db.session.execute(
        select(month, DailyFigure.metric, func.sum(DailyFigure.value))
        .where(
            DailyFigure.metric.in_(SERIES_METRICS),
            DailyFigure.day.between(first, last),
            *scope.conditions(),
        )
        .group_by(month, DailyFigure.metric)
    ):
        series.setdefault(month_key, {})[metric] = int(total)
    return series


def by_province(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """Province -> metric -> value: the series' flows over the period, and the stocks of
    sellers, products and OCOP at its last day."""
    where = scope.conditions()
    provinces: dict[str, dict[str, int]] = {}
    for metrics_wanted, days in (
        (SERIES_METRICS, DailyFigure.day.between(period.first, period.last)),
        (PROVINCE_STOCKS, DailyFigure.day <= period.last),
    ):
        for province, metric, total in db.session.execute(
            select(DailyFigure.province_code, DailyFigure.metric, func.sum(DailyFigure.value))
            .where(DailyFigure.metric.in_(metrics_wanted), days, *where)
            .group_by(DailyFigure.province_code, DailyFigure.metric)
        ):
            provinces.setdefault(province, {})[metric] = int(total)
    return provinces
