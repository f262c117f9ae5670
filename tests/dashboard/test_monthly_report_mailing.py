"""On the first of the month each scope's operators get the link to last month's report, in
their language, once per scope and month (run twice, or by two workers at once on
PostgreSQL); provinces without operators get nothing."""

from __future__ import annotations

import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.auth.roles import Role
from app.extensions import db
from app.messaging.models import OutboundMessage
from dashboard.monthly_report_mailing import (
    MAIL_KIND,
    MonthlyReportMailing,
    mail_monthly_reports,
    mail_monthly_reports_job,
)
from tests.app.factories import make_user
from tests.conftest import make_test_app
from tests.support.database import upgrade_schema

MAY_FIRST = date(2027, 5, 1)
LINK = "https://nongsan.test/admin/dashboard/monthly-report.pdf"


def _operators():
    """Two Hải Phòng operators (one reads English), one of Thái Nguyên, a switched-off one
    and one without e-mail (neither is mailed), and a country-wide one."""
    return {
        "hp-vi": make_user(Role.OPERATOR, identifier="hp@tinh.gov.vn", operator_province_code="31"),
        "hp-en": make_user(
            Role.OPERATOR,
            identifier="hp-en@tinh.gov.vn",
            operator_province_code="31",
            language="en",
        ),
        "tn": make_user(Role.OPERATOR, identifier="tn@tinh.gov.vn", operator_province_code="19"),
        "off": make_user(
            Role.OPERATOR, identifier="off@tinh.gov.vn", operator_province_code="19", active=False
        ),
        "phone": make_user(Role.OPERATOR, operator_province_code="08"),
        "vn": make_user(Role.OPERATOR, identifier="vn@tinh.gov.vn"),
    }


def _mails() -> dict[str, OutboundMessage]:
    messages = db.session.scalars(select(OutboundMessage).where(OutboundMessage.kind == MAIL_KIND))
    return {message.recipient: message for message in messages}


def test_each_scope_s_operators_get_last_month_s_link_once(app):
    people = _operators()
    db.session.commit()

    assert mail_monthly_reports(MAY_FIRST) == 4
    mails = _mails()
    assert set(mails) == {"hp@tinh.gov.vn", "hp-en@tinh.gov.vn", "tn@tinh.gov.vn", "vn@tinh.gov.vn"}
    assert mails["hp@tinh.gov.vn"].subject == "Báo cáo tháng 04/2027: TP. Hải Phòng"
    assert f"{LINK}?on=2027-04-01&province=31" in mails["hp@tinh.gov.vn"].body
    assert mails["hp@tinh.gov.vn"].user_id == people["hp-vi"].id
    assert mails["hp-en@tinh.gov.vn"].subject == "Monthly report 04/2027: TP. Hải Phòng"
    assert "Sign in to download it" in mails["hp-en@tinh.gov.vn"].body
    assert f"{LINK}?on=2027-04-01&province=19" in mails["tn@tinh.gov.vn"].body
    assert "Cả nước" in mails["vn@tinh.gov.vn"].subject
    assert f"{LINK}?on=2027-04-01\n" in mails["vn@tinh.gov.vn"].body
    # Province 08 has only an operator without e-mail; the 30 others have none: no row.
    scopes = db.session.scalars(select(MonthlyReportMailing.scope)).all()
    assert sorted(scopes) == ["", "19", "31"]
    assert {mail.status for mail in mails.values()} == {"sent"}

    # A second run the same month sends nothing more; the next month sends again.
    assert mail_monthly_reports(date(2027, 5, 20)) == 0
    assert len(_mails()) == 4
    assert mail_monthly_reports(date(2027, 6, 1)) == 4
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 8


def test_the_job_reports_on_the_month_before_vietnam_s_first(app):
    make_user(Role.OPERATOR, identifier="hp@tinh.gov.vn", operator_province_code="31")
    db.session.commit()
    # 17:30 UTC on 30 April is 00:30 on 1 May in Vietnam: April's report.
    with freeze_time("2027-04-30 17:30:00"):
        assert mail_monthly_reports_job.call_local() == 1
    assert "on=2027-04-01" in _mails()["hp@tinh.gov.vn"].body


def test_without_operators_nothing_is_mailed(app):
    make_user(Role.FARMER, identifier="farmer@tinh.gov.vn")
    db.session.commit()
    assert mail_monthly_reports(MAY_FIRST) == 0
    assert _mails() == {}
    assert db.session.scalar(select(func.count()).select_from(MonthlyReportMailing)) == 0


WORKERS = 4


@pytest.fixture
def committed(request, database_factory, tmp_path):
    """A PostgreSQL database of its own with committed operators: each worker has its own
    connection."""
    name = f"monthly_{zlib.crc32(request.node.name.encode())}"
    # SQLAlchemy's default pool (5 and 10 more) holds the four workers' connections.
    app = make_test_app(database_factory("postgresql", name), str(tmp_path))
    upgrade_schema(app)
    with app.app_context():
        _operators()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_workers_racing_on_the_first_mail_each_operator_once(committed):
    start = threading.Barrier(WORKERS)

    def worker(_number: int) -> int:
        with committed.app_context():
            start.wait(timeout=30)
            return mail_monthly_reports(MAY_FIRST)

    with ThreadPoolExecutor(WORKERS) as pool:
        queued = list(pool.map(worker, range(WORKERS)))

    assert sum(queued) == 4 and len(queued) == WORKERS
    with committed.app_context():
        recipients = db.session.scalars(select(OutboundMessage.recipient)).all()
        assert sorted(recipients) == sorted(
            ["hp@tinh.gov.vn", "hp-en@tinh.gov.vn", "tn@tinh.gov.vn", "vn@tinh.gov.vn"]
        )
