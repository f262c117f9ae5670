"""The farmer's day on a phone: a lychee farmer logs in, lands on the farm's dashboard, sees
how many orders wait in each step, and opens the farm's orders from the header's "Đơn hàng"
(his own purchases one tap away)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.auth.roles import Role
from app.extensions import db
from orders import services
from orders.states import PaymentStatus
from tests.app.factories import PASSWORD, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.support.ledger import ledger_mismatches_in


@pytest.fixture
def busy_farm(live_app):
    """A farm with orders at every step: 2 awaiting payment (one transfer of the wrong
    amount), 2 to pack, 1 to ship. Its farmer logs in with 0912 000 606."""
    app, url = live_app
    with app.app_context():
        farmer = make_user(role=Role.FARMER, identifier="0912000606", full_name="Nguyễn Văn Bình")
        farm = deliver_everywhere(make_farm(owner=farmer, name="Vườn vải ông Bình"))
        variant = make_product(farm, name="Vải thiều ông Bình", prices=(180000,)).variants[0]
        make_order(variant, payment_method="bank_transfer")
        wrong_amount = make_order(variant, payment_method="bank_transfer")
        services.set_payment_status(
            wrong_amount, PaymentStatus.NEEDS_REVIEW, actor=None, note="partial"
        )
        make_order(variant)
        make_order(variant)
        services.pack_order(make_order(variant), farmer)
        db.session.commit()
        farm_id = farm.id
    return url, farm_id


def test_a_farmer_lands_on_the_dashboard_and_opens_the_farms_orders(busy_farm, phone, live_app):
    url, farm_id = busy_farm
    page = phone

    page.goto(url + "/login")
    page.get_by_label("Số điện thoại hoặc email").fill("0912 000 606")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()

    # He lands on his farm's dashboard, with the counts and a badge in the header.
    expect(page).to_have_url(f"{url}/dashboard/farms/{farm_id}")
    expect(page.locator("h1")).to_have_text("Vườn vải ông Bình")
    counts = page.get_by_test_id("farm-counts")
    for tab, number in (
        ("new", "4"),
        ("awaiting_payment", "2"),
        ("to_pack", "2"),
        ("to_ship", "1"),
        ("review", "1"),
    ):
        expect(counts.get_by_test_id(f"count-{tab}").locator("strong")).to_have_text(number)
    badge = page.get_by_test_id("farm-action-badge")
    expect(badge).to_contain_text("4")  # 2 to pack, 1 to ship, 1 payment to check
    page.screenshot_as("farmday-01-dashboard")

    # A count opens the list filtered to it.
    counts.get_by_test_id("count-review").click()
    expect(page.locator("[data-testid^=farm-order-]")).to_have_count(1)
    expect(page.get_by_test_id("payment-status")).to_have_text("Cần kiểm tra thanh toán")

    # The header's "Đơn hàng" opens the farm's orders; his purchases stay in the header.
    page.get_by_test_id("farm-orders-link").click()
    expect(page).to_have_url(f"{url}/dashboard/farms/{farm_id}/orders")
    expect(page.locator("h1")).to_have_text("Đơn hàng")
    expect(page.locator("[data-testid^=farm-order-]")).to_have_count(4)
    page.screenshot_as("farmday-02-farm-orders")
    page.get_by_test_id("my-purchases-link").click()
    expect(page).to_have_url(f"{url}/orders")
    assert ledger_mismatches_in(live_app[0]) == []
