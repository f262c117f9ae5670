"""A recall publishes batch.recalled to the farm's endpoints (and its operators'), once,
after the recall commits; a refused recall publishes nothing."""
# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

import pytest

from app.errors import DomainError
from app.extensions import db
from tests.app.webhook_helpers import allow_local, farm_endpoint, listener, verify  # noqa: F401
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.traceability.factories import NOW, make_batch
from traceability import services

REASON = "Dư lượng thuốc trừ sâu vượt mức cho phép"


@pytest.fixture
def batch(app):
    farm = make_farm(name="HTX Nông sản Bắc Mê")
    make_growing_area(farm)
    return make_batch(farm, make_product(farm, name="Cam sành Hà Giang"))


def test_a_recall_is_announced_with_the_batch_and_reason(batch, listener):
    owner = batch.farm.members[0].user
    other = make_farm(name="Vườn khác")
    _, secret = farm_endpoint(batch.farm, owner, listener.url, ["batch.recalled"])
    farm_endpoint(other, other.members[0].user, listener.url + "?other", ["batch.recalled"])
    db.session.commit()

    services.recall_batch(batch, owner, REASON, NOW)
    assert listener.requests == []
    db.session.commit()

    [request] = listener.requests
    assert request.path == "/"
    assert request.headers["nongsan-event"] == "batch.recalled"
    assert verify(secret, request.headers["nongsan-signature"], request.body)
    data = request.json()["data"]
    assert data["batch"]["id"] == batch.id and data["batch"]["code"] == batch.code
    assert data["batch"]["reason"] == REASON
    assert data["batch"]["recalled_at"].endswith("Z")
    assert data["orders_held"] == 0


def test_a_refused_recall_announces_nothing(batch, listener):
    owner = batch.farm.members[0].user
    farm_endpoint(batch.farm, owner, listener.url, ["batch.recalled"])
    services.recall_batch(batch, owner, REASON, NOW)
    db.session.commit()
    listener.requests.clear()

    with pytest.raises(DomainError):
        services.recall_batch(batch, owner, REASON, NOW)
    db.session.rollback()
    db.session.commit()

    assert listener.requests == []


def test_an_endpoint_that_did_not_ask_for_recalls_gets_none(batch, listener):
    owner = batch.farm.members[0].user
    farm_endpoint(batch.farm, owner, listener.url, ["order.placed"])
    services.recall_batch(batch, owner, REASON, NOW)
    db.session.commit()

    assert listener.requests == []
