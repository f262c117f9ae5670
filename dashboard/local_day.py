"""The calendar day in Vietnam of a stored UTC time (and the month of a day), computed by the
database itself, so a refresh groups millions of rows without reading them; on PostgreSQL
and on SQLite."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.clock import VIETNAM


class local_day(FunctionElement):  # noqa: N801  (reads as a SQL function)
    """`local_day(Order.created_at)`: the day in Asia/Ho_Chi_Minh (UTC+7, no summer time)."""

    type = Date()
    inherit_cache = True
    name = "local_day"


@compiles(local_day)
def _on_sqlite(element, compiler, **kw) -> str:
    # SQLite stores the UTC time as text; Vietnam has kept UTC+7 all year since 1975.
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(local_day, "postgresql")
def _on_postgresql(element, compiler, **kw) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(({column} AT TIME ZONE 'Asia/Ho_Chi_Minh') AS DATE)"


def day_in_vietnam(moment: datetime) -> date:
    """The same, for a time already read into Python."""
    return moment.astimezone(VIETNAM).date()


class month_of(FunctionElement):  # noqa: N801  (reads as a SQL function)
    """`month_of(DailyFigure.day)`: "2027-03", for grouping a day's rows by month."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_on_sqlite(element, compiler, **kw) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_on_postgresql(element, compiler, **kw) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"
