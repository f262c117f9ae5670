"""The refresh job: the summary table equals a rebuild from the records, running it again
changes nothing, a refresh asked before the last one is skipped, and two workers racing on
PostgreSQL leave one correct table."""

from __future__ import annotations

import itertools
import threading
from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from dashboard.jobs import rebuild_dashboard_figures, refresh_dashboard_figures
from dashboard.models import DailyFigure, FigureRefresh, PeriodFigure
from dashboard.refresh import refresh_figures
from farms import services as farms
from farms.models import Farm
from products.models import OcopCertificate, Product
from tests.app.factories import log_in
from tests.conftest import make_test_app
from tests.dashboard.scenario import PHONE, admin, board_for, farm, load_demo_story, values
from tests.support.database import upgrade_schema
from tests.support.snapshots import table_snapshot
from traceability.models import Label
from traceability.scans import record_scan

_race_databases = itertools.count()
#: Ten minutes after the story's own refresh (tests/dashboard/scenario.py).
TEN_MINUTES_LATER = "2027-04-10 03:10:00"


@pytest.fixture
def story(app):
    load_demo_story(app)


def test_refreshing_again_changes_no_figure(story):
    before = table_snapshot(DailyFigure)
    with freeze_time(TEN_MINUTES_LATER):
        assert refresh_figures() is True
    assert table_snapshot(DailyFigure) == before


def test_a_refresh_asked_before_the_last_one_is_skipped(story):
    state = db.session.get(FigureRefresh, 1)
    asked_earlier = state.refreshed_at - timedelta(seconds=1)
    db.session.execute(DailyFigure.__table__.delete().where(DailyFigure.metric == "orders"))
    assert refresh_figures(asked_earlier) is False
    assert db.session.scalar(select(DailyFigure).where(DailyFigure.metric == "orders")) is None


def test_the_figures_follow_the_records_only_after_a_refresh(story):
    tea_box = db.session.scalar(select(Product).where(Product.slug.like("che-moc-cau%")))
    tea_box.status = "hidden"
    db.session.flush()
    assert values(board_for(admin()))["products_listed"] == 6  # still the last refresh's
    with freeze_time(TEN_MINUTES_LATER):
        refresh_figures()
    # Its listing row is gone, not left behind: the table is rebuilt, not added to.
    board = board_for(admin())
    assert values(board)["products_listed"] == 5 and values(board)["ocop_products"] == 2


def test_a_certificate_stored_with_a_far_end_date_does_not_stop_the_refresh(story):
    # set_ocop now refuses 31/12/9999, but rows from before it may hold one: the day after it
    # does not exist, and the whole refresh once failed on it.
    certificate = db.session.scalar(
        select(OcopCertificate).where(OcopCertificate.verified_at.is_not(None))
    )
    certificate.expires_on = date(9999, 12, 31)
    db.session.flush()
    with freeze_time(TEN_MINUTES_LATER):
        assert refresh_figures() is True
    assert values(board_for(admin()))["ocop_products"] == 3


def test_the_periodic_job_rebuilds_and_states_its_time(story):
    with freeze_time(TEN_MINUTES_LATER):
        assert refresh_dashboard_figures.call_local() is True
    refreshed = db.session.scalar(select(FigureRefresh.refreshed_at))
    assert refreshed.isoformat() == "2027-04-10T03:10:00+00:00"


def test_an_operator_asks_for_a_refresh_and_the_page_states_the_time(story, client):
    db.session.execute(DailyFigure.__table__.delete())
    with freeze_time(TEN_MINUTES_LATER, tick=True):
        log_in(client, "admin@nongsan.demo", "nongsan-demo")
        page = client.get("/admin/dashboard").get_data(as_text=True)
        assert "Số liệu cập nhật lúc 10:00 10/04/2027" in page  # the story's, Vietnam time
        answer = client.post_form("/admin/dashboard/refresh")
        assert answer.status_code == 302
        page = client.get(answer.location).get_data(as_text=True)
    assert "Số liệu cập nhật lúc 10:10 10/04/2027" in page
    # The job ran at once (JOBS_IMMEDIATE): the orders are back.
    assert db.session.scalar(select(DailyFigure).where(DailyFigure.metric == "orders"))


def _both_tables():
    return table_snapshot(DailyFigure, PeriodFigure)


def test_the_ten_minute_refresh_gives_what_a_whole_rebuild_gives(story):
    # Ten minutes after the story's refresh: two phones scan a lychee label, a farm not yet
    # verified is, and the tea box stops being sold.
    with freeze_time(TEN_MINUTES_LATER):
        serial = db.session.scalar(select(Label.serial).order_by(Label.id))
        record_scan(serial, PHONE, "visitor-8")
        record_scan(serial, PHONE, "visitor-9")
        unverified = db.session.scalars(select(Farm).where(Farm.verified_at.is_(None))).first()
        farms.verify_farm(unverified, admin())
        tea_box = db.session.scalar(select(Product).where(Product.slug.like("che-moc-cau%")))
        tea_box.status = "hidden"
        db.session.flush()  # the job has a session of its own
        before = values(board_for(admin()))
        assert refresh_dashboard_figures.call_local() is True
    recent = _both_tables()
    after = values(board_for(admin()))
    assert after["scans"] == before["scans"] + 2
    assert after["farms_verified"] == before["farms_verified"] + 1
    assert after["products_listed"] == before["products_listed"] - 1
    with freeze_time("2027-04-10 03:20:00"):
        assert rebuild_dashboard_figures.call_local() is True
    assert _both_tables() == recent


def test_a_change_to_an_older_day_waits_for_the_nightly_rebuild(story):
    # The tea cooperative's commune is corrected: its March orders belong to the new one.
    tan_cuong = farm("htx-che-tan-cuong")
    old_commune, tan_cuong.commune = tan_cuong.commune, "xã Phúc Xuân"
    db.session.flush()
    march = {"province": "19", "period": "month", "on": "2027-03-01"}
    with freeze_time(TEN_MINUTES_LATER):
        refresh_dashboard_figures.call_local()
    assert values(board_for(admin(), commune=old_commune, **march))["orders"] == 7
    with freeze_time("2027-04-10 19:45:00"):
        rebuild_dashboard_figures.call_local()
    assert values(board_for(admin(), commune="xã Phúc Xuân", **march))["orders"] == 7
    assert values(board_for(admin(), **march))["orders"] == 7


def test_the_first_refresh_of_a_database_is_a_whole_one(story):
    whole = _both_tables()
    db.session.execute(DailyFigure.__table__.delete())
    db.session.execute(PeriodFigure.__table__.delete())
    db.session.get(FigureRefresh, 1).refreshed_at = None
    db.session.flush()  # the job has a session of its own
    with freeze_time(TEN_MINUTES_LATER):
        assert refresh_dashboard_figures.call_local() is True
    assert _both_tables() == whole


@pytest.fixture
def demo_database(database_factory, tmp_path):
    """The demo committed in a database of its own: each worker has its own connection."""
    app = make_test_app(
        database_factory("postgresql", f"dashboard_race_{next(_race_databases)}"), str(tmp_path)
    )
    upgrade_schema(app)
    with app.app_context():
        load_demo_story(app)
        # As if never refreshed (the story's refresh is dated 2027, after the real now).
        db.session.execute(DailyFigure.__table__.delete())
        state = db.session.get(FigureRefresh, 1)
        state.refreshed_at = state.whole_refreshed_at = None
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres_only
def test_two_workers_refreshing_at_once_leave_one_correct_table(demo_database):
    app = demo_database
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def worker():
        with app.app_context():
            asked_at = utcnow()
            start.wait()
            try:
                outcomes.append(refresh_figures(asked_at))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports what went wrong
                db.session.rollback()
                outcomes.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # One rebuilt; the other waited on the lock, saw newer figures and stopped.
    assert sorted(outcomes, key=str) == [False, True]
    with app.app_context():
        raced = table_snapshot(DailyFigure)
        refresh_figures()
        db.session.commit()
        assert table_snapshot(DailyFigure) == raced
        assert values(board_for(admin(), on="2027-03-05"))["orders"] == 7


def test_the_page_reads_the_summary_table_never_the_records(story, client):
    from datetime import UTC, datetime

    from tests.dashboard.scenario import PHONE
    from tests.support.queries import assert_fixed_queries, count_queries
    from traceability.models import Label
    from traceability.scans import record_scan

    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    url = "/admin/dashboard?on=2027-04-10"

    def more_scans_and_a_refresh():
        for serial in db.session.scalars(select(Label.serial).limit(20)):
            record_scan(serial, PHONE, "another-visitor")
        refresh_figures(datetime(2027, 4, 10, 4, tzinfo=UTC))

    assert_fixed_queries(client, url, more_scans_and_a_refresh)
    with count_queries() as statements:
        client.get(url)
    # (Only the names of the products in the revenue table are read, by their ids.)
    records = ("farm_order", "order_line", "label_scan", "batch", "checkout", "order_event")
    assert not [s for s in statements if any(f"FROM {table}" in s for table in records)]
