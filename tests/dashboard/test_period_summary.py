"""The summary by month, quarter and year (dashboard_period_figure) says what the daily rows
say: a month, quarter or year read from it equals the same days read as a range, a range
across part months equals the daily rows added up here, and the products table names the
best sellers and sums the rest."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from dashboard import metrics, period_summary
from dashboard.models import DailyFigure, PeriodFigure
from dashboard.periods import Period, period_of
from dashboard.readings import Reading, Scope, read_period
from dashboard.refresh import refresh_figures
from tests.dashboard.scenario import LATER, admin, board_for, load_demo_story

OTHERS = "Tất cả các sản phẩm khác"
MARCH = {"from": "2027-03-01", "to": "2027-03-31"}
SCOPES = (
    Scope(None, None),
    Scope("31", None),
    Scope("31", "xã Thanh Hà"),
    Scope("19", None),
    Scope("19", "xã Tân Cương"),
)
PERIODS = (
    period_of("month", date(2027, 3, 1)),
    period_of("month", date(2027, 4, 1)),
    period_of("quarter", date(2027, 3, 1)),
    period_of("quarter", date(2027, 4, 1)),
    period_of("year", date(2027, 1, 1)),
    period_of("year", date(2026, 1, 1)),
)


@pytest.fixture
def story(app):
    load_demo_story(app)


def _everything(reading: Reading) -> tuple:
    return (
        reading.flows,
        reading.stocks,
        reading.distinct_farms,
        reading.product_revenue_vnd,
        reading.median_days_to_first_sale,
    )


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: f"{s.province}-{s.commune}")
def test_a_period_reads_the_same_as_its_days(story, scope):
    for period in PERIODS:
        as_days = Period("range", period.first, period.last)
        assert _everything(read_period(scope, period)) == _everything(
            read_period(scope, as_days)
        ), period


def _by_hand(scope: Scope, first: date, last: date) -> Reading:
    """The daily rows of the scope added up in Python, as the figures are defined."""
    rows = db.session.scalars(select(DailyFigure).where(*scope.conditions())).all()
    reading = Reading(flows=defaultdict(int), stocks=defaultdict(int))
    farms = defaultdict(set)
    for row in rows:
        if row.metric in metrics.STOCKS and row.day <= last:
            reading.stocks[(row.metric, row.dimension)] += row.value
        if not first <= row.day <= last:
            continue
        if row.metric == metrics.GOODS_REVENUE_VND:
            reading.product_revenue_vnd += row.value
        elif row.metric in metrics.FLOWS:
            reading.flows[(row.metric, row.dimension)] += row.value
        elif row.metric in metrics.SELLING:
            farms[row.metric].add(row.dimension)
    reading.distinct_farms = {metric: len(ids) for metric, ids in farms.items()}
    reading.flows, reading.stocks = dict(reading.flows), dict(reading.stocks)
    return reading


def _nonzero(values: dict) -> dict:
    return {key: value for key, value in values.items() if value}


@pytest.mark.parametrize(
    "first, last",
    [
        (date(2027, 3, 15), date(2027, 4, 12)),  # part of March, part of April
        (date(2027, 3, 20), date(2027, 3, 20)),  # the day the demo was loaded
        (date(2027, 3, 21), date(2027, 4, 9)),  # between the two days anything happened
        (date(2027, 2, 10), date(2027, 5, 3)),  # a whole month between two part months
        (date(2026, 12, 1), date(2027, 12, 31)),  # whole months only
    ],
)
def test_a_range_across_part_months_adds_up_its_days(story, first, last):
    for scope in SCOPES:
        reading = read_period(scope, Period("range", first, last))
        expected = _by_hand(scope, first, last)
        assert _nonzero(reading.flows) == _nonzero(expected.flows), scope
        # An OCOP decision that started and ended before `last` nets to nothing.
        assert _nonzero(reading.stocks) == _nonzero(expected.stocks), scope
        assert reading.distinct_farms == expected.distinct_farms, scope
        assert reading.product_revenue_vnd == expected.product_revenue_vnd, scope
        # Fewer products than PRODUCTS_SHOWN: the products add up to the goods' revenue.
        by_product = reading.split(metrics.PRODUCT_REVENUE_VND)
        assert sum(by_product.values()) == reading.product_revenue_vnd, scope


def _sums_at(level: str, *, by_province: bool) -> dict:
    """The level's rows summed by period, metric and dimension (and province)."""
    sums: dict = defaultdict(int)
    rows = select(PeriodFigure).where(
        PeriodFigure.level == level, PeriodFigure.metric != metrics.TOP_PRODUCT_REVENUE_VND
    )
    for row in db.session.scalars(rows):
        key = (row.grain, row.metric, row.first_day, row.dimension)
        sums[(*key, row.province_code) if by_province else key] += row.value
    return dict(sums)


def test_each_level_is_the_sum_of_the_one_below(story):
    assert _sums_at("province", by_province=True) == _sums_at("commune", by_province=True)
    country = _sums_at("country", by_province=False)
    assert country == _sums_at("province", by_province=False) and len(country) > 50


def test_the_products_table_names_the_best_sellers_and_sums_the_rest(story, monkeypatch):
    # March: the tea bag sold 150,000 × (1 + 4) in paid orders, the gift box 650,000.
    whole = board_for(admin(), period="month", on="2027-03-01").table("products").rows
    assert [row[1:] for row in whole] == [[750_000, 0], [650_000, 0]]
    monkeypatch.setattr(period_summary, "PRODUCTS_SHOWN", 1)
    with freeze_time(LATER):
        refresh_figures()  # the refresh ranks a month's products
    for period in ({"period": "month", "on": "2027-03-01"}, {"period": "range", **MARCH}):
        board = board_for(admin(), **period)
        assert board.table("products").rows == [whole[0], [OTHERS, 650_000, 0]], period
    # April against March: five bags paid in cash; March's gift box is among the others of
    # the month before, which compares the products shown only.
    april = board_for(admin(), period="month", on="2027-04-01").table("products").rows
    assert april == [[whole[0][0], 750_000, 750_000], [OTHERS, 0, 650_000]]
