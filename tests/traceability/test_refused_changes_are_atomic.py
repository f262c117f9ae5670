"""Packing from batches is all or nothing on its own: a refused batch choice leaves the order
unpacked and writes no allocation, without the caller's rollback (a CLI or a job could commit
what a half-done service left). The snapshot flushes the session first."""

import pytest

from app.errors import DomainError
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import harvest, make_batch
from traceability import allocation


@pytest.mark.parametrize(
    "typed",
    [
        lambda batch: (str(batch.id), "3"),  # the order has 2
        lambda batch: (str(batch.id), "hai"),
        lambda batch: (str(batch.id + 1000), "2"),  # not a batch offered
    ],
    ids=["wrong-total", "not-a-number", "not-offered"],
)
def test_a_refused_batch_choice_leaves_the_order_unpacked(app, typed):
    # Given a confirmed order of 2 boxes and a harvested batch it may come from
    farm = deliver_everywhere(make_farm())
    product = make_product(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    order = make_order(product.variants[0], 2, payment_method="cod")
    line = order.lines[0]
    assert batch in allocation.choices_for(order)[line.id]
    before = database_snapshot()

    # When the farm packs it with a batch choice that is refused
    with pytest.raises(DomainError):
        allocation.pack_with_batches(order, farm.members[0].user, {line.id: [typed(batch)]})

    # Then the order is still confirmed, with no allocation and no event
    assert order.status == "confirmed"
    assert database_snapshot() == before
