"""A label run's PDF is drawn once and kept (privately); the labels a farm may issue in a day
are bounded, so neither downloads nor runs can keep a worker drawing PDFs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import harvest, make_batch
from traceability import labels
from traceability.models import LabelRun


@pytest.fixture
def batch(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    make_growing_area(farm)
    batch = make_batch(farm, make_product(farm, name="Vải thiều Thanh Hà"))
    harvest(batch, 2)
    db.session.commit()
    return batch


@pytest.fixture
def renders(monkeypatch):
    """Counts the times a run's PDF is drawn."""
    calls = []
    draw = labels.render_labels

    def counting(*args, **kwargs):
        calls.append(args)
        return draw(*args, **kwargs)

    monkeypatch.setattr(labels, "render_labels", counting)
    return calls


# The PDF is kept -----------------------------------------------------------------------------


def test_a_second_download_serves_the_kept_pdf_without_drawing_again(client, batch, renders):
    # Given a run the farmer has downloaded once
    log_in(client, batch.farm.members[0].user.phone)
    response = client.post_form(
        f"/dashboard/batches/{batch.id}/labels", {"format": "a4-24", "count": "30"}
    )
    first = client.get(response.headers["Location"])
    assert first.status_code == 200 and len(renders) == 1
    # When it is downloaded again
    second = client.get(response.headers["Location"])
    # Then the same file comes without being drawn again, and no cache keeps it
    assert second.status_code == 200 and second.data == first.data
    assert len(renders) == 1
    assert "no-store" in second.headers["Cache-Control"]


def test_the_kept_pdf_is_not_served_as_public_media(client, batch, renders):
    # Given a run whose PDF was drawn and kept
    run = labels.issue_labels(batch, batch.farm.members[0].user, "a4-24", 3)
    labels.run_pdf(run, batch.farm.members[0].user)
    key = labels.stored_key(run)
    # When anyone asks /media for it, then there is nothing there
    assert client.get(f"/media/{key}").status_code == 404


def test_a_run_is_drawn_again_when_what_it_shows_changed(batch, renders):
    # Given a run downloaded once
    owner = batch.farm.members[0].user
    run = labels.issue_labels(batch, owner, "a4-24", 3)
    labels.run_pdf(run, owner)
    # When the product is renamed and the run downloaded again
    batch.product.name = "Vải thiều Thanh Hà loại 1"
    labels.run_pdf(run, owner)
    # Then the new name is drawn, not an old file served
    assert len(renders) == 2


# Large runs are drawn by the worker ----------------------------------------------------------


def test_a_large_run_is_drawn_by_the_worker_and_the_page_waits_for_it(
    app, client, batch, renders, monkeypatch
):
    # Given runs of 40 labels or more drawn in the background, and a worker not yet running
    from app.jobs import huey

    monkeypatch.setitem(app.config, "LABEL_RUN_BACKGROUND_FROM", 40)
    monkeypatch.setattr(huey, "immediate", False)
    huey.flush()
    log_in(client, batch.farm.members[0].user.phone)

    # When the farmer issues 40 labels
    response = client.post_form(
        f"/dashboard/batches/{batch.id}/labels", {"format": "a4-24", "count": "40"}
    )

    # Then the request drew nothing: the drawing waits in the queue, and the download page
    # says it is being drawn and reloads itself
    assert renders == [] and huey.pending_count() == 1
    waiting = client.get(response.headers["Location"])
    assert waiting.status_code == 202
    assert waiting.headers["Refresh"] == "5"
    assert "Đang tạo tệp PDF cho 40 tem." in waiting.get_data(as_text=True)

    # The page's reload did not ask the worker a second time
    assert huey.pending_count() == 1

    # When the worker runs the queued job
    while (task := huey.dequeue()) is not None:
        huey.execute(task)

    # Then the PDF was drawn once and the page now downloads it
    assert len(renders) == 1
    ready = client.get(response.headers["Location"])
    assert ready.status_code == 200 and ready.headers["Content-Type"] == "application/pdf"
    assert len(renders) == 1


def test_a_drawing_lost_with_a_dead_worker_is_asked_for_again_after_the_lease(
    app, client, batch, renders, monkeypatch
):
    # Given a large run whose drawing was asked for, and the worker that took it died
    from app.jobs import huey

    monkeypatch.setitem(app.config, "LABEL_RUN_BACKGROUND_FROM", 40)
    monkeypatch.setattr(huey, "immediate", False)
    huey.flush()
    log_in(client, batch.farm.members[0].user.phone)
    response = client.post_form(
        f"/dashboard/batches/{batch.id}/labels", {"format": "a4-24", "count": "40"}
    )
    huey.flush()  # the job is gone with the worker

    # When the page reloads within the lease, then it waits without asking again
    assert client.get(response.headers["Location"]).status_code == 202
    assert huey.pending_count() == 0

    # and once the lease is over, a reload asks the worker again
    run = db.session.scalars(select(LabelRun)).one()
    run.drawing_requested_at = utcnow() - labels.DRAWING_LEASE - timedelta(seconds=1)
    db.session.commit()
    assert client.get(response.headers["Location"]).status_code == 202
    assert huey.pending_count() == 1
    assert renders == []


def test_a_small_run_is_drawn_in_the_request(app, client, batch, renders, monkeypatch):
    monkeypatch.setitem(app.config, "LABEL_RUN_BACKGROUND_FROM", 40)
    log_in(client, batch.farm.members[0].user.phone)
    response = client.post_form(
        f"/dashboard/batches/{batch.id}/labels", {"format": "a4-24", "count": "39"}
    )
    assert client.get(response.headers["Location"]).status_code == 200
    assert len(renders) == 1


def test_another_farm_cannot_see_whether_a_large_run_is_drawn(
    app, client, batch, renders, monkeypatch
):
    from app.auth.roles import Role
    from tests.app.factories import make_user

    # Given a large run of one farm, and a farmer of another farm
    monkeypatch.setitem(app.config, "LABEL_RUN_BACKGROUND_FROM", 1)
    run = labels.issue_labels(batch, batch.farm.members[0].user, "a4-24", 3)
    stranger = make_user(Role.FARMER, identifier="0912000999")
    make_farm(owner=stranger, name="Vườn khác")
    db.session.commit()

    # When the other farmer asks for its PDF, then it is refused and nothing is drawn
    log_in(client, "0912000999")
    assert client.get(f"/dashboard/label-runs/{run.id}.pdf").status_code == 403
    assert renders == []


# Runs are bounded ----------------------------------------------------------------------------


def test_labels_past_the_daily_bound_are_refused_and_nothing_is_issued(app, batch, monkeypatch):
    # Given a farm that may issue 100 labels a day and has issued 80
    monkeypatch.setitem(app.config, "LABELS_PER_FARM_PER_DAY", 100)
    owner = batch.farm.members[0].user
    labels.issue_labels(batch, owner, "a4-24", 80)
    before = database_snapshot()
    # When it asks for 21 more, then it is refused saying how many are left
    with pytest.raises(DomainError) as raised:
        labels.issue_labels(batch, owner, "a4-24", 21)
    assert "20" in str(raised.value.message)
    # And nothing was issued: no run, no label, no "labels" event in the batch's chain
    assert database_snapshot() == before
    # While 20 are still fine
    labels.issue_labels(batch, owner, "a4-24", 20)


def test_runs_past_the_daily_bound_are_refused(app, batch, monkeypatch):
    # Given a farm that may print 3 runs a day and printed 3
    monkeypatch.setitem(app.config, "LABEL_RUNS_PER_FARM_PER_DAY", 3)
    owner = batch.farm.members[0].user
    for _ in range(3):
        labels.issue_labels(batch, owner, "a4-24", 1)
    before = database_snapshot()
    # When it asks for a fourth, then it is refused and nothing is issued
    with pytest.raises(DomainError):
        labels.issue_labels(batch, owner, "a4-24", 1)
    assert database_snapshot() == before


def test_the_bound_counts_the_last_24_hours_only(app, batch, monkeypatch):
    # Given 100 labels issued yesterday, at the bound
    monkeypatch.setitem(app.config, "LABELS_PER_FARM_PER_DAY", 100)
    owner = batch.farm.members[0].user
    run = labels.issue_labels(batch, owner, "a4-24", 100)
    run.created_at = utcnow() - timedelta(hours=25)
    db.session.flush()
    # When the farm prints today, then it may
    assert labels.issue_labels(batch, owner, "a4-24", 100).count == 100


def test_the_bound_is_per_farm(app, batch, monkeypatch):
    # Given another farm at its bound
    monkeypatch.setitem(app.config, "LABELS_PER_FARM_PER_DAY", 10)
    other = make_batch()
    harvest(other, 2)
    labels.issue_labels(other, other.farm.members[0].user, "a4-24", 10)
    # When this farm prints, then it may
    assert labels.issue_labels(batch, batch.farm.members[0].user, "a4-24", 10).count == 10


def test_the_page_says_why_a_run_was_refused(app, client, batch, monkeypatch):
    monkeypatch.setitem(app.config, "LABELS_PER_FARM_PER_DAY", 50)
    log_in(client, batch.farm.members[0].user.phone)
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/batches/{batch.id}/labels", {"format": "a4-24", "count": "65"}
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "50" in page and "24" in page
    assert database_snapshot() == before


def test_labels_are_refused_for_a_batch_recalled_while_the_request_was_running(batch):
    # Given a batch that another request recalls after this one read it (its copy is stale)
    from sqlalchemy import update

    from traceability.models import Batch

    db.session.execute(
        update(Batch)
        .where(Batch.id == batch.id)
        .values(status="recalled", recalled_at=utcnow(), recall_reason="Dư lượng vượt mức")
        .execution_options(synchronize_session=False)
    )
    assert batch.status != "recalled"
    before = database_snapshot()

    # When labels are issued from the stale copy, then they are refused and none is stored
    with pytest.raises(DomainError):
        labels.issue_labels(batch, batch.farm.members[0].user, "a4-65", 5)
    assert database_snapshot() == before
