"""A second, hostile read of the summary by period (dashboard.period_summary, readings,
refresh): the ten-minute refresh against a whole rebuild across Vietnam's midnight and the
turn of a month, a quarter and a year; a period read against the same days read as a range;
the products table of the previous period; and whose refresh wins when a whole one was
asked while the ten-minute one ran."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from dashboard.jobs import (
    rebuild_dashboard_figures,
    refresh_dashboard_figures,
    refresh_dashboard_figures_now,
)
from dashboard.models import DailyFigure, PeriodFigure
from dashboard.periods import Period, period_of
from dashboard.readings import Scope, read_period
from orders import services as orders
from orders.models import Order
from orders.states import PaymentStatus
from tests.dashboard.scenario import PHONE, admin, board_for, farm, load_demo_story, values
from tests.support.snapshots import table_snapshot
from traceability.models import Label
from traceability.scans import record_scan

SCOPES = (Scope(None, None), Scope("31", None), Scope("19", None), Scope("19", "xã Tân Cương"))


@pytest.fixture
def story(app):
    load_demo_story(app)


def _both_tables():
    return table_snapshot(DailyFigure, PeriodFigure)


def _an_unpaid_march_order() -> Order:
    return db.session.scalar(
        select(Order)
        .where(Order.payment_status == PaymentStatus.UNPAID.value)
        .order_by(Order.id)
        .limit(1)
    )


def _scan_a_label(visitor: str) -> None:
    serial = db.session.scalar(select(Label.serial).order_by(Label.id))
    record_scan(serial, PHONE, visitor)


def _as_days(period: Period) -> Period:
    return Period("range", period.first, period.last)


def _same_as_a_whole_rebuild(at: str) -> None:
    recent = _both_tables()
    with freeze_time(at):
        assert rebuild_dashboard_figures.call_local() is True
    assert _both_tables() == recent


@pytest.mark.parametrize(
    ("before_midnight", "after_midnight", "new_period"),
    [
        # 23:50 and 00:05 in Vietnam (UTC+7): the UTC day is still the old one.
        ("2027-04-30 16:50:00", "2027-04-30 17:05:00", period_of("month", date(2027, 5, 1))),
        ("2027-06-30 16:50:00", "2027-06-30 17:05:00", period_of("quarter", date(2027, 7, 1))),
        ("2027-12-31 16:50:00", "2027-12-31 17:05:00", period_of("year", date(2028, 1, 1))),
    ],
    ids=("month", "quarter", "year"),
)
def test_a_refresh_just_after_vietnams_midnight_matches_a_whole_rebuild(
    story, before_midnight, after_midnight, new_period
):
    with freeze_time(before_midnight):
        assert refresh_dashboard_figures.call_local() is True
    ended = period_of(new_period.kind, new_period.first - timedelta(days=1))
    paid_before = read_period(Scope(None, None), ended).flow("paid_orders")
    # Just after midnight in Vietnam: a March order is paid, a label scanned.
    with freeze_time(after_midnight):
        order = _an_unpaid_march_order()
        orders.set_payment_status(order, PaymentStatus.PAID, actor=admin())
        _scan_a_label("visitor-midnight")
        db.session.flush()
        assert refresh_dashboard_figures.call_local() is True
    new = read_period(Scope(None, None), new_period)
    assert new.flow("scans") == 1
    assert new.flow("paid_orders") == 1
    assert new.flow("revenue_vnd") == order.total_vnd
    # Nothing of it in the period that ended at midnight (by UTC it is still that day).
    assert read_period(Scope(None, None), ended).flow("paid_orders") == paid_before
    for scope in SCOPES:
        for period in (new_period, period_of("year", new_period.first)):
            a, b = read_period(scope, period), read_period(scope, _as_days(period))
            assert (a.flows, a.stocks, a.distinct_farms, a.product_revenue_vnd) == (
                b.flows,
                b.stocks,
                b.distinct_farms,
                b.product_revenue_vnd,
            ), (scope, period)
    _same_as_a_whole_rebuild(after_midnight.replace(":05:", ":20:"))


def test_an_ocop_expiring_and_a_product_hidden_then_published_match_a_whole_rebuild(story):
    from products.models import OcopCertificate, Product

    with freeze_time("2027-04-10 03:10:00"):
        ocop = db.session.scalar(
            select(OcopCertificate).where(OcopCertificate.verified_at.is_not(None))
        )
        ocop.expires_on = date(2027, 4, 10)  # expires today: no longer counted tomorrow
        tea = db.session.scalar(select(Product).where(Product.slug.like("che-moc-cau%")))
        tea.status = "hidden"
        db.session.flush()
        assert refresh_dashboard_figures.call_local() is True
    with freeze_time("2027-04-10 03:20:00"):
        tea.status = "published"
        db.session.flush()
        assert refresh_dashboard_figures.call_local() is True
    april, may = period_of("month", date(2027, 4, 1)), period_of("month", date(2027, 5, 1))
    # The stock on the 1st of May counts the expiry of 10 April (its -1 is on the 11th).
    assert read_period(Scope(None, None), may).stock("ocop_products") == read_period(
        Scope(None, None), april
    ).stock("ocop_products")
    _same_as_a_whole_rebuild("2027-04-10 03:30:00")


def test_the_other_products_row_never_goes_below_zero(story):
    for on in ("2027-03-01", "2027-04-01"):
        for period in ("month", "quarter", "year"):
            board = board_for(admin(), on=on, period=period)
            table = board.table("products")
            for row in table.rows:
                assert row[1] >= 0 and row[2] >= 0, (on, period, row)
            current = board.current
            previous_total = sum(row[2] for row in table.rows)
            previous = read_period(Scope(None, None), board.filters.period.previous())
            assert previous_total == previous.product_revenue_vnd, (on, period)
            assert sum(row[1] for row in table.rows) == current.product_revenue_vnd


def test_a_stock_changed_on_the_first_of_a_month_reads_the_same_as_days(story):
    # A range ending on the last day of March, and one ending on 1 April (the day after).
    for last in (date(2027, 3, 31), date(2027, 4, 1), date(2027, 2, 28)):
        for scope in SCOPES:
            as_range = read_period(scope, Period("range", date(2027, 1, 15), last))
            by_hand: dict = {}
            for row in db.session.scalars(
                select(DailyFigure).where(DailyFigure.day <= last, *scope.conditions())
            ):
                if row.metric in ("products_listed", "ocop_products") or row.metric.startswith(
                    "listing_"
                ):
                    key = (row.metric, row.dimension)
                    by_hand[key] = by_hand.get(key, 0) + row.value
            assert as_range.stocks == {
                k: v for k, v in by_hand.items() if v or k in as_range.stocks
            }


def test_hostile_commune_and_dates_are_explained_not_failed(story, client):
    from tests.app.factories import log_in

    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    for query in (
        {"province": "19", "commune": "x' OR 1=1 --"},
        {"province": "19", "commune": "xã\x00Tân Cương"},
        {"province": "19", "commune": "x" * 5000},
        {"period": "range", "from": "2999-12-01", "to": "2999-12-31"},
        {"period": "range", "from": "2000-01-01", "to": "2000-01-31"},
        {"period": "year", "on": "2999-06-01"},
        {"period": "quarter", "on": "2000-01-01"},
        {"period": "month", "on": "2027-02-30"},
        {"period": "range", "from": "2027-03-10", "to": "2027-03-01"},
    ):
        response = client.get("/admin/dashboard", query_string=query)
        # 400 for a NUL byte (refused before the view); never a 500.
        assert response.status_code in (200, 400), query


def test_an_operators_whole_refresh_is_not_skipped_for_a_ten_minute_one(story):
    # The tea cooperative's commune is corrected (a change to older days); the operator asks
    # for a whole refresh at 03:10, but the ten-minute job gets to the queue first.
    tan_cuong = farm("htx-che-tan-cuong")
    tan_cuong.commune = "xã Phúc Xuân"
    db.session.flush()
    asked_at = "2027-04-10T03:10:00+00:00"
    with freeze_time("2027-04-10 03:10:01"):
        assert refresh_dashboard_figures.call_local() is True
    with freeze_time("2027-04-10 03:10:30"):
        assert refresh_dashboard_figures_now.call_local(asked_at) is True
    march = {"province": "19", "period": "month", "on": "2027-03-01"}
    assert values(board_for(admin(), commune="xã Phúc Xuân", **march))["orders"] == 7
