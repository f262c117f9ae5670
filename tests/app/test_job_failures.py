"""A background job that raises is recorded and shown to operators on /admin/outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.roles import Role
from app.db import utcnow
from app.extensions import db
from app.job_failures import JobFailure
from app.jobs import job
from tests.app.factories import log_in, make_user
from tests.support.web import page_text


@job()
def draw_something_broken(run_id: int) -> None:
    raise OSError(f"disk full while drawing run {run_id}")


def test_a_job_that_raises_is_recorded_and_shown_to_operators(app, client):
    # Given a job that fails (jobs run at once in the tests)
    draw_something_broken(42)

    # Then its failure is kept, with the job, its arguments and the error
    failure = db.session.scalars(select(JobFailure)).one()
    assert failure.task_name == "tests.app.test_job_failures.draw_something_broken"
    assert (failure.arguments, failure.will_retry) == ("(42,)", False)
    assert failure.error == "OSError: disk full while drawing run 42"

    # And an operator sees it on the outbox page
    log_in(client, make_user(role=Role.OPERATOR).phone)
    text = page_text(client.get("/admin/outbox"))
    assert "1 việc chạy nền bị lỗi trong tuần này" in text
    assert "test_job_failures.draw_something_broken" in text and "disk full" in text


def test_failures_older_than_a_week_are_not_shown(app, client):
    db.session.add(
        JobFailure(
            task_name="orders.jobs.expire_orders",
            task_id="old",
            arguments="()",
            error="OperationalError: database is locked",
            failed_at=utcnow() - timedelta(days=8),
        )
    )
    db.session.flush()
    log_in(client, make_user(role=Role.OPERATOR).phone)

    response = client.get("/admin/outbox")

    assert 'data-testid="job-failures"' not in response.get_data(as_text=True)
    assert "database is locked" not in page_text(response)


def test_only_operators_see_the_failed_jobs(app, client):
    draw_something_broken(7)
    log_in(client, make_user(role=Role.FARMER).phone)

    response = client.get("/admin/outbox")

    assert response.status_code == 403 and "disk full" not in page_text(response)
