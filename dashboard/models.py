"""The dashboard's summary tables, rebuilt from the records by dashboard.refresh: one row per
day, farm province, farm commune, metric and dimension; the same summed by month, quarter and
year, per commune and per whole province; and when that last happened."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime
from app.extensions import db


class DailyFigure(db.Model):
    """What happened on one day (Vietnam's calendar) at the farms of one commune."""

    __tablename__ = "dashboard_daily_figure"
    __table_args__ = (Index("ix_dashboard_daily_figure_metric_day", "metric", "day"),)

    #: A dashboard.metrics name: "orders", "revenue_vnd", "scans"...
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The farm's province: figures belong to where the produce comes from.
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: The farm's commune as the farm wrote it.
    commune: Mapped[str] = mapped_column(String(120), primary_key=True)
    #: What the metric is split by (a payment method, a category, a farm id); "" for none.
    dimension: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: A count, or đồng for the *_vnd metrics; -1 rows close a stock (an OCOP expiry).
    value: Mapped[int] = mapped_column(BigInteger)


class PeriodFigure(db.Model):
    """A month's, quarter's or year's sum of the daily figures, per commune, province and the
    whole country, so that reading a period adds up a few hundred rows, not one per farm and
    day.

    Flows are summed over the period; stocks hold the change over the period (read as the
    sum of the months before); a `selling_*` row counts the distinct farms that had an order
    in the period, which adds up over communes and provinces (a farm has one place) but not
    over periods."""

    __tablename__ = "dashboard_period_figure"

    #: "month", "quarter" or "year".
    grain: Mapped[str] = mapped_column(String(7), primary_key=True)
    #: "commune"; "province", the sum of its communes (commune ""); "country", the sum of
    #: the provinces (province_code and commune "").
    level: Mapped[str] = mapped_column(String(8), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The period's first day.
    first_day: Mapped[date] = mapped_column(Date, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    commune: Mapped[str] = mapped_column(String(120), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class FigureRefresh(db.Model):
    """The one row that says when the figures were last rebuilt; refreshes lock it, so two
    workers never rebuild at once."""

    __tablename__ = "dashboard_refresh"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the last whole rebuild began (the ten-minute refresh rebuilds the recent days).
    whole_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Summary rows written by that refresh.
    row_count: Mapped[int] = mapped_column(default=0)
