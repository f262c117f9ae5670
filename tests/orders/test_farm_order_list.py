"""The farm's order list: a fixed number of statements whatever it shows, and pages."""

import pytest

from app.auth.roles import Role
from app.extensions import db
from orders import services
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm, make_growing_area
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries, count_queries
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch
from traceability import allocation


@pytest.fixture
def shop(app, client):
    """A rice farm with a harvested batch, its farmer logged in."""
    farmer = make_user(role=Role.FARMER)
    farm = deliver_everywhere(make_farm(owner=farmer, name="HTX Gạo ST25"))
    make_growing_area(farm)
    rice = make_product(farm, name="Gạo ST25", prices=(45000,))
    batch = make_batch(farm, rice, code="ST25-2606")
    harvest(batch, 2)
    log_in(client, farmer.phone)
    return farm, rice, batch


def _sell_and_pack(shop, count: int) -> list:
    """`count` orders of two bags each, packed from the batch (one allocation per line)."""
    farm, rice, batch = shop
    variant = rice.variants[0]
    orders = []
    for _ in range(count):
        order = make_order(variant, 2)
        line = order.lines[0]
        allocation.pack_with_batches(order, farm.members[0].user, {line.id: [(str(batch.id), "2")]})
        orders.append(order)
    db.session.commit()
    return orders


def test_the_farm_order_list_runs_a_fixed_number_of_queries(shop, client):
    # Given a farm with 2 packed orders, each line packed from a batch
    farm = shop[0]
    url = f"/dashboard/farms/{farm.id}/orders?tab=all"
    _sell_and_pack(shop, 2)
    client.get(url)  # warm up: the session and the language are loaded once

    # When the list is shown with 2 orders, then with 20
    with count_queries() as few:
        response = client.get(url)
    assert page_text(response).count("lô ST25-2606") == 2
    _sell_and_pack(shop, 18)
    with count_queries() as many:
        response = client.get(url)

    # Then both cost the same statements (no query per order or per line)
    assert page_text(response).count("lô ST25-2606") == 20
    assert len(many) == len(few), many


def test_the_all_tab_pages_the_orders_newest_first(shop, client, monkeypatch):
    # Given three orders and two per page
    monkeypatch.setattr(services, "FARM_ORDERS_PER_PAGE", 2)
    oldest, middle, newest = _sell_and_pack(shop, 3)
    url = f"/dashboard/farms/{shop[0].id}/orders?tab=all"

    # When the farmer opens the list, then the two newest show, with a link to the next page
    first = page_text(client.get(url))
    assert newest.number in first and middle.number in first and oldest.number not in first
    assert "Trang 1 / 2" in first and "Trang sau" in first and "Trang trước" not in first

    # And the second page holds the oldest, with a link back
    second = page_text(client.get(url + "&page=2"))
    assert oldest.number in second and newest.number not in second
    assert "Trang 2 / 2" in second and "Trang trước" in second and "Trang sau" not in second


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("-3", 1), ("0", 1), ("99", 2)])
def test_an_unreadable_or_distant_page_number_shows_the_nearest_page(
    shop, client, monkeypatch, page, shown
):
    monkeypatch.setattr(services, "FARM_ORDERS_PER_PAGE", 2)
    _sell_and_pack(shop, 3)

    response = client.get(f"/dashboard/farms/{shop[0].id}/orders?tab=all&page={page}")

    assert response.status_code == 200 and f"Trang {shown} / 2" in page_text(response)


def _owe_refunds(shop, count: int) -> None:
    """`count` transfers confirmed, then cancelled by the farm: money to give back."""
    farm, rice, _ = shop
    owner = farm.members[0].user
    for _ in range(count):
        order = make_order(rice.variants[0], 1, payment_method="bank_transfer")
        services.confirm_transfer(order, owner)
        services.cancel_by_farm(order, owner, "Hết hàng")


def test_the_refunds_tab_runs_a_fixed_number_of_queries(shop, client):
    # Given one order whose money must go back, then five more
    _owe_refunds(shop, 1)
    url = f"/dashboard/farms/{shop[0].id}/orders?tab=refunds"

    # When the tab lists them with what each buyer is owed, then six cost what one did
    response = assert_fixed_queries(client, url, lambda: _owe_refunds(shop, 5))
    assert page_text(response).count("Cần hoàn tiền · 75.000") == 6
