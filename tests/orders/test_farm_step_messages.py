"""A farm's order step that is refused says why once, not twice (seen on a 360-px phone: a
packed order held by a recall showed the same red message in two boxes)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.orders.factories import deliver_everywhere
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import make_batch
from tests.traceability.test_recall_stops_sales import (
    _oranges,
    _owner,
    _pack,
    _place,
    _recall,
    harvest,
)


@pytest.fixture
def farm(app):
    farm = make_farm(name="Vườn cam Bắc Mê")
    make_growing_area(farm)
    deliver_everywhere(farm)
    return farm


def test_a_refused_ship_step_flashes_its_reason_once(farm, client):
    # Given an order packed from a batch that was then recalled
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    order = _place(product)
    _pack(order, batch)
    _recall(batch)
    db.session.commit()
    log_in(client, _owner(farm).phone)
    before = database_snapshot()

    # When the farm tries to ship it
    refused = client.post_form(
        f"/dashboard/orders/{order.id}/ship?tab=to_ship",
        {"carrier": "ghn", "tracking_number": "GHN123"},
        follow_redirects=True,
    )

    # Then the refusal is flashed once, and nothing changed: the order is still packed
    text = page_text(refused)
    assert text.count("không được gửi đơn") == 1
    assert f"{order.number}: Đơn {order.number}" not in text  # the number is said once
    assert database_snapshot() == before
