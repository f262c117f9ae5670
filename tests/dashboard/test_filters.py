"""The dashboard's periods and filters: the period before each kind of period, and an address
that names nothing is explained on the page, never a 500 and never a change."""

from __future__ import annotations

from datetime import date

import pytest

from app.auth.roles import Role
from dashboard.periods import Period, period_of
from tests.app.factories import log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


@pytest.mark.parametrize(
    ("kind", "day", "first", "last", "previous_first", "previous_last"),
    [
        (
            "month",
            date(2027, 3, 31),
            date(2027, 3, 1),
            date(2027, 3, 31),
            date(2027, 2, 1),
            date(2027, 2, 28),
        ),
        (
            "month",
            date(2027, 1, 15),
            date(2027, 1, 1),
            date(2027, 1, 31),
            date(2026, 12, 1),
            date(2026, 12, 31),
        ),
        (
            "quarter",
            date(2027, 2, 10),
            date(2027, 1, 1),
            date(2027, 3, 31),
            date(2026, 10, 1),
            date(2026, 12, 31),
        ),
        (
            "quarter",
            date(2027, 12, 31),
            date(2027, 10, 1),
            date(2027, 12, 31),
            date(2027, 7, 1),
            date(2027, 9, 30),
        ),
        (
            "year",
            date(2028, 2, 29),
            date(2028, 1, 1),
            date(2028, 12, 31),
            date(2027, 1, 1),
            date(2027, 12, 31),
        ),
    ],
)
def test_a_period_and_the_one_before(kind, day, first, last, previous_first, previous_last):
    period = period_of(kind, day)
    assert (period.first, period.last) == (first, last)
    assert (period.previous().first, period.previous().last) == (previous_first, previous_last)


def test_a_range_is_compared_with_as_many_days_just_before():
    previous = Period("range", date(2027, 3, 1), date(2027, 3, 10)).previous()
    assert (previous.first, previous.last) == (date(2027, 2, 19), date(2027, 2, 28))


@pytest.mark.parametrize(
    ("query", "explained"),
    [
        ("period=week", "Không có kỳ “week”"),
        ("on=2027-02-30", "“2027-02-30” không phải là ngày"),
        ("period=range&from=2027-03-10&to=2027-03-01", "ngày đầu trước ngày cuối"),
        ("period=range&from=2000-01-01&to=2999-12-31", "nhiều nhất mười năm"),
        ("province=99", "Không có tỉnh"),
        ("province=31&commune=" + "x" * 500, "Không có cơ sở nào của tỉnh"),
    ],
)
def test_a_filter_that_names_nothing_is_explained(app, client, query, explained):
    operator = make_user(Role.OPERATOR)
    log_in(client, operator.phone)
    before = database_snapshot()
    response = client.get(f"/admin/dashboard?{query}")
    assert response.status_code == 200
    assert explained in page_text(response)
    assert database_snapshot() == before
