"""The batch list and a batch's page (its diary, label runs and buyers) run a fixed number of
statements, however much they show."""

import pytest

from app.extensions import db
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.orders.factories import deliver_everywhere, make_checkout, make_order
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries, count_queries
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch, record
from traceability import allocation, labels


@pytest.fixture
def farm(app, client):
    farm = deliver_everywhere(make_farm(name="Vườn vải Cô Lan"))
    make_growing_area(farm)
    log_in(client, farm.members[0].user.phone)
    return farm


def test_the_batch_list_runs_a_fixed_number_of_queries(farm, client):
    product = make_product(farm, name="Gạo ST25")

    def batches(count: int) -> None:
        for _ in range(count):
            harvest(make_batch(farm, product), 2)

    batches(1)

    # When the farm's batches grow from one to six, then the list costs the same
    response = assert_fixed_queries(
        client, f"/dashboard/farms/{farm.id}/batches", lambda: batches(5)
    )
    assert page_text(response).count("VT2606-") >= 6


def test_a_batch_page_runs_a_fixed_number_of_queries(farm, client):
    # Given a harvested batch with a label run and one order packed from it
    product = make_product(farm, name="Gạo ST25", prices=(45000,))
    batch = make_batch(farm, product)
    harvest(batch, 2)
    owner = farm.members[0].user

    def more_history(count: int) -> None:
        for n in range(count):
            record(batch, "note", 1, note=f"Ghi chép số {n}")
            labels.issue_labels(batch, owner, "a4-24", 2)
            order = make_order(product.variants[0], 1)
            line = order.lines[0]
            allocation.pack_with_batches(order, owner, {line.id: [(str(batch.id), "1")]})

    more_history(1)

    # When its diary, label runs and buyers grow, then its page costs the same
    response = assert_fixed_queries(
        client, f"/dashboard/batches/{batch.id}", lambda: more_history(4)
    )
    assert page_text(response).count("Ghi chép số") >= 5


def test_the_packing_page_runs_a_fixed_number_of_queries_whatever_its_lines(farm, client):
    # Given an order of two products, each with a harvested batch, and one of six
    def order_of(count: int):
        variants = []
        for n in range(count):
            product = make_product(farm, name=f"Gạo số {count}-{n}", prices=(45000,))
            harvest(make_batch(farm, product), 2)
            variants.append(product.variants[0])
        return make_checkout(variants).orders[0]

    small, large = order_of(2), order_of(6)
    db.session.commit()
    for order in (small, large):  # warm up
        client.get(f"/dashboard/orders/{order.id}/pack-with-batches")

    # When the farm opens each to pack it, then both cost the same statements
    with count_queries() as few:
        client.get(f"/dashboard/orders/{small.id}/pack-with-batches")
    with count_queries() as many:
        response = client.get(f"/dashboard/orders/{large.id}/pack-with-batches")
    assert page_text(response).count("Gạo số 6-") >= 6
    assert len(many) == len(few), "\n".join(" ".join(s.split())[:150] for s in many)
