"""The period the figures are for: a month (by default), a quarter, a year or a range of
days, in Vietnam's calendar; and the period just before it, to compare with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

PERIOD_KINDS = {
    "month": _l("Month"),
    "quarter": _l("Quarter"),
    "year": _l("Year"),
    "range": _l("From one day to another"),
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Days an operator can ask about; beyond them the figures are empty anyway.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
#: A range longer than this is refused: its previous period would start before FIRST_DAY.
LONGEST_RANGE_DAYS = 3660


@dataclass(frozen=True)
class Period:
    kind: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The month, quarter or year before; for a range, as many days just before."""
        if self.kind == "range":
            last = self.first - timedelta(days=1)
            return Period("range", last - timedelta(days=self.days - 1), last)
        return period_of(self.kind, self.first - timedelta(days=1))

    def label(self) -> str:
        """The dates: "03/2027", "2/2027" (a quarter), "2027", "01/03/2027 – 10/03/2027"."""
        if self.kind == "month":
            return f"{self.first:%m/%Y}"
        if self.kind == "quarter":
            return f"{(self.first.month - 1) // 3 + 1}/{self.first:%Y}"
        if self.kind == "year":
            return f"{self.first:%Y}"
        return self.dates()

    def dates(self) -> str:
        """Its first and last days: "01/01/2027 – 10/04/2027"."""
        return f"{self.first:%d/%m/%Y} – {self.last:%d/%m/%Y}"


def period_of(kind: str, day: date) -> Period:
    """The month, quarter or year holding `day`."""
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    first_month = (day.month - 1) // 3 * 3 + 1 if kind == "quarter" else day.month
    months = 3 if kind == "quarter" else 1
    first = date(day.year, first_month, 1)
    after = date(
        first.year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1
    )
    return Period(kind, first, after - timedelta(days=1))


def read_day(raw: str | None) -> date | None:
    """A year-month-day, or None for anything else (or a day outside FIRST_DAY..LAST_DAY)."""
    raw = (raw or "").strip()
    if not _ISO_DATE.fullmatch(raw):
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None
