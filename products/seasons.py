"""Harvest seasons: whether a product can be bought today, pre-ordered, or must wait.

A season is stored as two month-day numbers (601 = 1 June, 715 = 15 July) so that it
repeats every year; a season may cross New Year (1101 to 215).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_

from products.models import Product


class SeasonState(enum.StrEnum):
    YEAR_ROUND = "year_round"
    IN_SEASON = "in_season"
    PREORDER = "preorder"
    OUT_OF_SEASON = "out_of_season"


def month_day(day: date) -> int:
    return day.month * 100 + day.day


def month_day_text(value: int | None) -> str:
    """601 -> "1/6": day/month as people in Vietnam write it; empty for no season."""
    return f"{value % 100}/{value // 100}" if value else ""


def is_valid_month_day(value: int) -> bool:
    month, day = divmod(value, 100)
    try:
        date(2024, month, day)  # a leap year, so 29 February is allowed
    except ValueError:
        return False
    return True


def in_season(start: int | None, end: int | None, today: date) -> bool:
    if start is None or end is None:
        return True
    now = month_day(today)
    if start <= end:
        return start <= now <= end
    return now >= start or now <= end


def _dates_with(value: int, years) -> list[date]:
    month, day = divmod(value, 100)
    dates = []
    for year in years:
        try:
            dates.append(date(year, month, day))
        except ValueError:  # 29 February in a common year
            continue
    return dates


def _on_or_after(value: int, today: date) -> date:
    """The next date (today included) with this month-day."""
    return min(d for d in _dates_with(value, range(today.year, today.year + 5)) if d >= today)


def _on_or_before(value: int, today: date) -> date:
    """The last date (today included) with this month-day."""
    return max(d for d in _dates_with(value, range(today.year - 4, today.year + 1)) if d <= today)


@dataclass(frozen=True)
class Availability:
    state: SeasonState
    #: The next (or current) season's first and last day, when the product has a season.
    season_opens: date | None = None
    season_closes: date | None = None
    preorder_ships_on: date | None = None
    preorder_left: int = 0

    @property
    def can_order(self) -> bool:
        return self.state in (SeasonState.YEAR_ROUND, SeasonState.IN_SEASON, SeasonState.PREORDER)


def availability(product: Product, today: date) -> Availability:
    start, end = product.season_start, product.season_end
    if start is None or end is None:
        return Availability(SeasonState.YEAR_ROUND)
    if in_season(start, end, today):
        return Availability(
            SeasonState.IN_SEASON, _on_or_before(start, today), _on_or_after(end, today)
        )
    opens = _on_or_after(start, today)
    closes = _on_or_after(end, opens)
    left = max(product.preorder_capacity - product.preorder_taken, 0)
    if (
        product.preorder_enabled
        and left > 0
        and product.preorder_ships_on is not None
        and product.preorder_ships_on >= today
    ):
        return Availability(SeasonState.PREORDER, opens, closes, product.preorder_ships_on, left)
    return Availability(SeasonState.OUT_OF_SEASON, opens, closes)


def season_window(product: Product, day: date) -> tuple[date, date] | None:
    """The season that contains `day`, or else the last one that began before it, as its
    first and last dates; None for a product sold all year."""
    start, end = product.season_start, product.season_end
    if start is None or end is None:
        return None
    opens = _on_or_before(start, day)
    return opens, _on_or_after(end, opens)


def in_season_clause(today: date):
    """SQL condition: the product is sold today (all year, or inside its season)."""
    now = month_day(today)
    start, end = Product.season_start, Product.season_end
    return or_(
        start.is_(None),
        and_(start <= end, start <= now, end >= now),
        and_(start > end, or_(start <= now, end >= now)),
    )


def preorder_open_clause(today: date):
    """SQL condition: outside the season, pre-orders are open with capacity left."""
    return and_(
        Product.season_start.is_not(None),
        ~in_season_clause(today),
        Product.preorder_enabled.is_(True),
        Product.preorder_taken < Product.preorder_capacity,
        Product.preorder_ships_on >= today,
    )
