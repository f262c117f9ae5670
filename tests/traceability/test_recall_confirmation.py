"""A recall is never one tap: it needs a ticked confirmation and a real reason
(issue 10, money and food safety 7)."""

from __future__ import annotations

import pytest

from app.errors import DomainError
from app.extensions import db
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import NOW, harvest, make_batch
from traceability import services
from traceability.models import Batch


@pytest.fixture
def batch(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    make_growing_area(farm)
    batch = make_batch(farm, make_product(farm, name="Vải thiều"))
    harvest(batch, 2)
    db.session.commit()
    return batch


def test_the_recall_form_asks_for_a_confirmation(client, batch):
    log_in(client, batch.farm.members[0].user.phone)

    page = client.get(f"/dashboard/batches/{batch.id}").get_data(as_text=True)

    assert 'name="confirm"' in page and 'type="checkbox"' in page


def test_a_recall_without_the_confirmation_is_refused_and_changes_nothing(client, batch):
    log_in(client, batch.farm.members[0].user.phone)
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/batches/{batch.id}/recall",
        {"reason": "Phát hiện nấm mốc trong kho"},
        follow_redirects=True,
    )

    assert "Đánh dấu ô" in page_text(response)
    assert response.status_code == 422
    assert "Phát hiện nấm mốc trong kho" in response.get_data(as_text=True)  # kept as typed
    assert database_snapshot() == before  # not recalled, no recall event, no order held


@pytest.mark.parametrize("reason", ["", "      ", "x", "lỗi", "  sai   lô  "])
def test_a_recall_without_a_real_reason_is_refused_over_http(client, batch, reason):
    log_in(client, batch.farm.members[0].user.phone)
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/batches/{batch.id}/recall",
        {"reason": reason, "confirm": "y"},
        follow_redirects=True,
    )

    assert "ít nhất 10 ký tự" in page_text(response)
    assert database_snapshot() == before


def test_the_recall_service_refuses_a_short_reason(batch):
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        services.recall_batch(batch, batch.farm.members[0].user, " nấm  ", NOW)

    assert refused.value.field == "reason"
    assert database_snapshot() == before


def test_a_confirmed_recall_with_a_reason_is_recorded(client, batch):
    log_in(client, batch.farm.members[0].user.phone)

    response = client.post_form(
        f"/dashboard/batches/{batch.id}/recall",
        {"reason": "Phát hiện nấm mốc trong kho", "confirm": "y"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).recall_reason == "Phát hiện nấm mốc trong kho"
