"""The farmer's day: the dashboard's order counts, the header's badge and its "Orders" link
(the farm's orders for the people who run one, their own purchases still one tap away), the
cart's size in the header, and the choice of farm for people who run several."""

from __future__ import annotations

import pytest

from app.auth.roles import Role
from app.extensions import db
from farms import services as farm_services
from farms.models import FarmMember
from orders import services
from orders.farm_counts import counts_for_user, order_counts
from orders.states import PaymentStatus
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.support.queries import count_queries
from tests.support.web import page_text


@pytest.fixture
def farm(app):
    farmer = make_user(role=Role.FARMER, identifier="0912000301")
    return deliver_everywhere(make_farm(owner=farmer, name="Vườn vải Thanh Hà"))


def _orders_in_every_state(farm):
    """Two awaiting payment (one with a transfer of the wrong amount), three to pack, one to
    ship, one shipped, one cancelled after payment (its money to give back), one delivered."""
    owner = farm.members[0].user
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    make_order(variant, payment_method="bank_transfer")
    wrong_amount = make_order(variant, payment_method="bank_transfer")
    services.set_payment_status(
        wrong_amount, PaymentStatus.NEEDS_REVIEW, actor=None, note="partial"
    )
    to_pack = [make_order(variant) for _ in range(3)]
    services.pack_order(to_pack[0], owner)
    make_order(variant)  # one more to pack
    shipped, cancelled, delivered = (make_order(variant) for _ in range(3))
    for order in (shipped, delivered):
        services.pack_order(order, owner)
        services.ship_order(order, owner, carrier="GHN", tracking_number="GHN1")
    services.mark_delivered(delivered, owner)
    services.confirm_transfer(bank := make_order(variant, payment_method="bank_transfer"), owner)
    services.cancel_by_farm(bank, owner, "Hết hàng")
    services.cancel_by_farm(cancelled, owner, "Người mua đổi ý")
    db.session.commit()


def test_the_counts_give_each_tab_of_the_order_list(farm, client):
    _orders_in_every_state(farm)

    counts = order_counts([farm])[farm.id]

    assert (counts.new, counts.awaiting_payment, counts.to_pack, counts.to_ship) == (5, 2, 3, 1)
    assert (counts.to_review, counts.to_refund) == (1, 1)
    assert counts.needing_action == 3 + 1 + 1 + 1
    # Each count is what the order list's tab shows.
    log_in(client, farm.members[0].user.phone)
    for tab, number in (
        ("new", 5),
        ("awaiting_payment", 2),
        ("to_pack", 3),
        ("to_ship", 1),
        ("review", 1),
        ("refunds", 1),
    ):
        page = client.get(f"/dashboard/farms/{farm.id}/orders?tab={tab}").get_data(as_text=True)
        assert page.count('data-testid="farm-order-') == number, tab


def test_counts_of_many_farms_take_one_statement(farm):
    _orders_in_every_state(farm)
    other = deliver_everywhere(make_farm(name="Vườn bưởi"))
    make_order(make_product(other, prices=(50000,)).variants[0])
    db.session.refresh(farm), db.session.refresh(other)  # the pages have them loaded

    with count_queries() as statements:
        counts = order_counts([farm, other])

    assert len(statements) == 1
    assert counts[other.id].to_pack == 1 and counts[farm.id].to_pack == 3
    assert counts[12345].needing_action == 0


def _household(cooperative, manager, name: str):
    """A member household run by its own farmer, delivering everywhere."""
    household = farm_services.add_member_household(
        cooperative, manager, name=name, commune="xã Hà Nam", contact_phone=""
    )
    household.members.append(FarmMember(user=make_user(role=Role.FARMER), role="owner"))
    return deliver_everywhere(household)


def test_a_cooperative_manager_counts_the_households_too(app):
    manager = make_user(role=Role.COOP_MANAGER, identifier="0912000303")
    cooperative = make_farm(owner=manager, kind="cooperative", name="HTX Bưởi Thanh Hồng")
    household = _household(cooperative, manager, "Hộ bà Mận")
    make_order(make_product(household, prices=(40000,)).variants[0])
    stranger = deliver_everywhere(make_farm(name="Vườn người khác"))
    make_order(make_product(stranger, prices=(40000,)).variants[0])

    with count_queries() as statements:
        counts = counts_for_user(manager)

    assert len(statements) == 1
    assert counts.needing_action == 1 and counts[household.id].to_pack == 1


def test_the_dashboard_shows_the_counts_with_links_to_the_list(farm, client):
    _orders_in_every_state(farm)
    log_in(client, farm.members[0].user.phone)

    page = client.get(f"/dashboard/farms/{farm.id}").get_data(as_text=True)

    section = page.split('data-testid="farm-counts"')[1].split("</section>")[0]
    for tab, number in (("new", 5), ("awaiting_payment", 2), ("to_pack", 3), ("to_ship", 1)):
        tile = section.split(f'data-testid="count-{tab}"')[1].split("</a>")[0]
        assert f"<strong>{number}</strong>" in tile
    assert f'href="/dashboard/farms/{farm.id}/orders?tab=review"' in section
    assert f'href="/dashboard/farms/{farm.id}/orders?tab=refunds"' in section
    assert "Cần kiểm tra thanh toán" in section


def test_the_header_badge_counts_what_waits_for_the_farmer(farm, client):
    _orders_in_every_state(farm)
    log_in(client, farm.members[0].user.phone)

    page = client.get("/products").get_data(as_text=True)

    badge = page.split('data-testid="farm-action-badge"')[1].split("</a>")[0]
    assert '<span aria-hidden="true">6</span>' in badge
    assert "6 đơn hàng đang chờ bạn" in badge


def test_a_farmer_with_nothing_to_do_sees_no_badge(farm, client):
    log_in(client, farm.members[0].user.phone)

    page = client.get("/products").get_data(as_text=True)

    assert 'data-testid="farm-orders-link"' in page
    assert 'data-testid="farm-action-badge"' not in page


def test_the_header_orders_link_opens_the_farms_orders(farm, client):
    _orders_in_every_state(farm)
    log_in(client, farm.members[0].user.phone)

    page = client.get("/").get_data(as_text=True)
    link = page.split('data-testid="farm-orders-link"')[0].rsplit("<a ", 1)[1]
    assert 'href="/dashboard/orders"' in link
    assert 'data-testid="my-purchases-link"' in page and 'href="/orders"' in page

    response = client.get("/dashboard/orders")
    assert response.status_code == 302
    assert response.location.endswith(f"/dashboard/farms/{farm.id}/orders")
    listed = client.get(response.location).get_data(as_text=True)
    assert listed.count('data-testid="farm-order-') == 5


def test_a_person_running_several_farms_chooses_one(client):
    manager = make_user(role=Role.COOP_MANAGER, identifier="0912000303")
    cooperative = deliver_everywhere(make_farm(owner=manager, kind="cooperative", name="HTX A"))
    household = _household(cooperative, manager, "Hộ ông Bảy")
    make_order(make_product(household, prices=(40000,)).variants[0])
    db.session.commit()
    log_in(client, manager.phone)

    page = client.get("/dashboard/orders")

    assert page.status_code == 200
    choice = page.get_data(as_text=True).split('data-testid="farm-inbox"')[1].split("</ul>")[0]
    assert f'href="/dashboard/farms/{cooperative.id}/orders"' in choice
    assert f'href="/dashboard/farms/{household.id}/orders"' in choice
    assert "1 đơn hàng mới" in page_text(page)


def test_a_farmer_without_a_farm_finds_their_purchases(client):
    farmer = make_user(role=Role.FARMER, identifier="0912000304")
    log_in(client, farmer.phone)

    response = client.get("/dashboard/orders")

    assert response.status_code == 302 and response.location.endswith("/orders")


def test_a_buyers_orders_link_opens_their_purchases(app, client):
    buyer = make_user(identifier="0912000305")
    log_in(client, buyer.phone)

    page = client.get("/").get_data(as_text=True)

    assert 'href="/orders">Đơn hàng</a>' in page
    assert "farm-orders-link" not in page and "farm-action-badge" not in page


def test_the_header_costs_a_buyer_one_statement_for_the_cart_and_none_for_a_badge(farm, client):
    variant = make_product(farm, prices=(90000,)).variants[0]
    buyer = make_user(identifier="0912000305")
    db.session.commit()
    log_in(client, buyer.phone)
    client.get("/")

    with count_queries() as empty_cart:
        page = client.get("/").get_data(as_text=True)
    assert 'data-testid="cart-count"' not in page
    client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "2"})
    with count_queries() as full_cart:
        page = client.get("/").get_data(as_text=True)

    assert len(full_cart) == len(empty_cart)
    assert [s for s in full_cart if "cart_item" in s and "count(" in s.lower()]
    assert not [s for s in full_cart if '"order"' in s or "order." in s.lower()]
    counter = page.split('data-testid="cart-count"')[1].split("</a>")[0]
    assert '<span aria-hidden="true">1</span>' in counter and "1 mặt hàng" in counter


def test_a_visitors_header_runs_no_statement_and_stays_cacheable(farm, client):
    make_product(farm, prices=(90000,))
    db.session.commit()
    client.get("/products")

    with count_queries() as statements:
        response = client.get("/products")

    assert not [s for s in statements if "cart_item" in s or "farm_member" in s]
    assert 'data-testid="cart-count"' not in response.get_data(as_text=True)
    assert "public" in response.headers["Cache-Control"]
