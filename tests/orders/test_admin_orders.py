"""/admin/orders: operators see every farm's orders, filter them, total them, and find the
payments that wait for review."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.auth.roles import Role
from app.extensions import db
from app.geo.communes import communes_of
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact, make_order
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries
from tests.support.web import page_text


def _variant(farm_name: str, price: int = 120_000):
    farm = deliver_everywhere(make_farm(name=farm_name), fee_vnd=30_000)
    return make_product(farm, name=f"Vải của {farm_name}", prices=(price,)).variants[0]


def _order(variant, *, placed_at=None, province="01", **changes):
    contact = hanoi_contact(province_code=province, commune=communes_of(province)[0].code)
    order = make_order(variant, contact=contact)
    if placed_at:
        order.created_at = placed_at
    for name, value in changes.items():
        setattr(order, name, value)
    db.session.flush()
    return order


@pytest.fixture
def operator_client(app):
    client = app.test_client()
    log_in(client, make_user(role=Role.OPERATOR).phone)
    return client


@pytest.fixture
def two_farms(app):
    """Three orders: two of Vườn Thanh Hà (one to Hà Nội, one to Hồ Chí Minh City, one paid
    with the wrong amount), one of Vườn Tân Cương shipped."""
    lychee, tea = _variant("Vườn Thanh Hà"), _variant("Vườn Tân Cương", 200_000)
    return {
        "hanoi": _order(lychee, placed_at=datetime(2026, 6, 1, 17, 30, tzinfo=UTC)),
        "saigon": _order(
            lychee,
            province="79",
            placed_at=datetime(2026, 6, 2, 3, 0, tzinfo=UTC),
            payment_status="needs_review",
        ),
        "shipped": _order(
            tea,
            placed_at=datetime(2026, 6, 3, 3, 0, tzinfo=UTC),
            status="shipped",
            payment_status="paid",
        ),
    }


def _listed(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [part.split('"', 1)[0] for part in html.split('data-testid="admin-order-')[1:]]


@pytest.mark.parametrize("role", [None, Role.BUYER, Role.FARMER, Role.COOP_MANAGER])
def test_only_operators_see_the_orders_across_farms(app, two_farms, role):
    client = app.test_client()
    if role:
        log_in(client, make_user(role=role).phone)

    response = client.get("/admin/orders")

    if role is None:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
        assert two_farms["hanoi"].number not in response.get_data(as_text=True)


def test_every_farms_orders_are_listed_newest_first_with_their_totals(
    app, operator_client, two_farms
):
    response = operator_client.get("/admin/orders")

    assert _listed(response) == [two_farms[k].number for k in ("shipped", "saigon", "hanoi")]
    text = page_text(response)
    # 150.000 + 150.000 + 230.000, of which 3 × 30.000 delivery
    assert "Đơn hàng 3 Phí giao hàng 90.000 ₫ Tổng 530.000 ₫" in text
    assert "Vườn Tân Cương" in text and "Đang giao" in text and "Cần kiểm tra thanh toán" in text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("state=shipped", ["shipped"]),
        ("payment=needs_review", ["saigon"]),
        ("payment=unpaid&state=confirmed", ["hanoi"]),
        ("province=79", ["saigon"]),
        # 17:30 UTC on 1 June is 00:30 on 2 June in Vietnam
        ("placed_from=2026-06-02&placed_to=2026-06-02", ["saigon", "hanoi"]),
        ("placed_to=2026-06-01", []),
        ("placed_from=2026-06-03", ["shipped"]),
    ],
)
def test_filters_narrow_the_list_and_its_totals(app, operator_client, two_farms, query, expected):
    response = operator_client.get(f"/admin/orders?{query}")

    assert _listed(response) == [two_farms[k].number for k in expected]
    assert f'data-testid="totals-orders">{len(expected)}<' in response.get_data(as_text=True)
    assert response.status_code == 200


def test_the_farm_filter_lists_one_farms_orders(app, operator_client, two_farms):
    farm_id = two_farms["shipped"].farm_id

    response = operator_client.get(f"/admin/orders?farm={farm_id}")

    assert _listed(response) == [two_farms["shipped"].number]
    assert "230.000 ₫" in page_text(response).split("Tổng", 1)[1]


@pytest.mark.parametrize(
    "query, explained",
    [
        ("state=lost", "Không có trạng thái đơn “lost”"),
        ("payment=maybe", "Không có trạng thái thanh toán “maybe”"),
        ("farm=abc", "Không có nông trại số “abc”"),
        ("farm=999999", "Không có nông trại số “999999”"),
        ("farm=" + "9" * 40, "Không có nông trại số"),
        ("province=99", "Không có tỉnh “99”"),
        ("placed_from=2026-02-30", "“2026-02-30” không phải là ngày"),
        ("placed_to=01/06/2026", "“01/06/2026” không phải là ngày"),
        ("placed_from=0001-01-01", "không phải là ngày"),
        ("placed_from=2026-06-03&placed_to=2026-06-01", "Ngày đầu sau ngày cuối"),
        ("page=²", "Số trang phải là số nguyên"),
    ],
)
def test_a_bad_filter_value_is_explained_and_ignored(
    app, operator_client, two_farms, query, explained
):
    response = operator_client.get(f"/admin/orders?{query}")

    assert response.status_code == 200
    assert explained in page_text(response)
    assert len(_listed(response)) == 3  # the bad filter was ignored


def test_the_payments_waiting_for_review_link_to_the_farms_order_page(
    app, operator_client, two_farms
):
    # Given an order whose transfer came with the wrong amount
    order = two_farms["saigon"]

    # When the operator opens the payments to review
    listing = operator_client.get("/admin/orders")
    assert 'data-testid="payments-to-review"' in listing.get_data(as_text=True)
    assert "Thanh toán cần kiểm tra 1" in page_text(listing)
    response = operator_client.get("/admin/orders?payment=needs_review")

    # Then the order is there with a link to its farm's order page, where it is resolved
    assert _listed(response) == [order.number]
    link = f"/dashboard/farms/{order.farm_id}/orders?tab=review"
    assert f'href="{link}" data-testid="review-{order.number}"' in response.get_data(as_text=True)
    farm_page = operator_client.get(link)
    assert farm_page.status_code == 200
    assert f'data-testid="farm-order-{order.number}"' in farm_page.get_data(as_text=True)


def test_the_list_is_paged_with_its_filters_kept(app, operator_client):
    variant = _variant("Vườn nhiều đơn")
    for _ in range(31):
        _order(variant, province="79")
    _order(variant)

    first = operator_client.get("/admin/orders?province=79")
    second = operator_client.get("/admin/orders?province=79&page=2")

    assert len(_listed(first)) == 30 and "Trang 1 / 2" in page_text(first)
    assert 'href="/admin/orders?province=79&amp;page=2"' in first.get_data(as_text=True)
    assert len(_listed(second)) == 1
    assert 'data-testid="totals-orders">31<' in second.get_data(as_text=True)


def test_the_orders_across_farms_run_a_fixed_number_of_queries(app, operator_client, two_farms):
    def more_farms_and_orders():
        for n in range(5):
            variant = _variant(f"Vườn thêm {n}")
            _order(variant, payment_status="needs_review")
            _order(variant, province="48")

    response = assert_fixed_queries(operator_client, "/admin/orders", more_farms_and_orders)
    assert len(_listed(response)) == 13


def test_the_listing_service_refuses_anyone_but_an_operator(app, two_farms):
    from app.errors import PermissionDenied
    from orders.operator_orders import OrderFilters, orders_across_farms

    with pytest.raises(PermissionDenied):
        orders_across_farms(OrderFilters(), two_farms["hanoi"].farm.members[0].user)
