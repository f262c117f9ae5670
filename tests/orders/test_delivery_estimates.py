"""Each delivery zone has a delivery time; product and cart pages show the fee and the time
to the buyer's province (default address, else the province chosen, else a chooser)."""

from __future__ import annotations

import pytest
from flask import Response
from sqlalchemy import select

from app.auth.services import save_default_address
from app.errors import DomainError
from app.extensions import db
from app.http_cache import cacheable, varies_by_visitor
from orders.delivery import set_zone
from orders.models import DeliveryZone
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.html_elements import element
from tests.support.snapshots import database_snapshot, table_snapshot
from tests.support.web import page_text


@pytest.fixture
def farm(app):
    """Delivers everywhere for 30,000 ₫ in 2-4 days, and to Hà Nội for 20,000 ₫ in 1-2."""
    farm = deliver_everywhere(make_farm(name="Vườn vải", province_code="31"))
    farm.members[0].user.phone = "+84912000777"
    set_zone(
        farm,
        farm.members[0].user,
        province_code="01",
        fee_rule="flat",
        fee_vnd="20000",
        min_days="1",
        max_days="2",
    )
    db.session.commit()
    return farm


def _owner(farm):
    return farm.members[0].user


def test_a_new_zone_takes_two_to_four_days_unless_the_farm_says(farm):
    zone = set_zone(farm, _owner(farm), province_code="48", fee_rule="flat", fee_vnd="40000")
    assert (zone.min_days, zone.max_days) == (2, 4)


def test_the_farm_sets_a_zones_days(farm):
    zone = set_zone(
        farm,
        _owner(farm),
        province_code="79",
        fee_rule="flat",
        fee_vnd="50000",
        min_days=" 3 ",
        max_days="6",
    )
    assert (zone.min_days, zone.max_days) == (3, 6)


@pytest.mark.parametrize(
    ("low", "high", "field"),
    [
        ("5", "3", "max_days"),
        ("-1", "3", "min_days"),
        ("2", "31", "max_days"),
        ("x", "3", "min_days"),
    ],
)
def test_days_out_of_order_or_range_are_refused_and_nothing_changes(farm, low, high, field):
    before = table_snapshot(DeliveryZone)
    with pytest.raises(DomainError) as refused:
        set_zone(
            farm,
            _owner(farm),
            province_code="01",
            fee_rule="flat",
            fee_vnd="1",
            min_days=low,
            max_days=high,
        )
    assert refused.value.field == field
    assert table_snapshot(DeliveryZone) == before


def test_the_delivery_settings_page_saves_and_lists_the_days(client, farm):
    log_in(client, "0912000777")
    url = f"/dashboard/farms/{farm.id}/delivery"
    form = client.get(url).get_data(as_text=True)
    assert element(form, tag="input", name="min_days").attrs["value"] == "2"

    response = client.post_form(
        f"{url}/zones",
        {
            "province_code": "48",
            "fee_rule": "flat",
            "fee_vnd": "45000",
            "min_days": "3",
            "max_days": "5",
        },
    )

    assert response.status_code == 302
    assert "3–5 ngày" in page_text(client.get(url))


def test_refused_days_on_the_settings_page_are_explained_and_nothing_changes(client, farm):
    log_in(client, "0912000777")
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/farms/{farm.id}/delivery/zones",
        {
            "province_code": "48",
            "fee_rule": "flat",
            "fee_vnd": "1",
            "min_days": "4",
            "max_days": "2",
        },
    )
    assert response.status_code == 422
    assert "Số ngày giao muộn nhất không được nhỏ hơn" in page_text(response)
    assert database_snapshot() == before


@pytest.fixture
def lychee(farm):
    product = make_product(farm, name="Vải thiều")
    db.session.commit()
    return product


def outlook_html(client, product, query: str = "") -> str:
    return client.get(f"/products/{product.slug}{query}").get_data(as_text=True)


def test_a_visitor_without_a_province_gets_a_chooser_that_needs_no_javascript(client, lychee):
    page = outlook_html(client, lychee)
    chooser = element(page, tag="form", method="get", action=f"/products/{lychee.slug}")
    assert chooser is not None and "Xem phí giao hàng" in chooser.text
    assert element(page, tag="select", name="province") is not None
    assert element(page, testid="outlook-fee") is None


def test_the_chosen_province_shows_its_fee_and_days(client, lychee):
    page = outlook_html(client, lychee, "?province=01")
    assert element(page, testid="outlook-fee").words == "20.000 ₫"
    assert "1–2 ngày" in element(page, testid="outlook-days").text
    # Everywhere else: the farm's "every other province" zone
    other = outlook_html(client, lychee, "?province=48")
    assert element(other, testid="outlook-fee").words == "30.000 ₫"
    assert "2–4 ngày" in element(other, testid="outlook-days").text


def test_a_province_the_farm_does_not_reach_is_said_plainly(client, app):
    farm = make_farm(name="Vườn chỉ giao Hà Nội")
    set_zone(farm, farm.members[0].user, province_code="01", fee_rule="flat", fee_vnd="1000")
    product = make_product(farm)
    db.session.commit()
    page = outlook_html(client, product, "?province=48")
    assert "không giao hàng đến TP. Đà Nẵng" in element(page, testid="outlook-none").text


def test_the_province_chosen_in_the_cart_follows_the_buyer_to_product_pages(client, lychee):
    client.get("/cart?province=01")
    page = outlook_html(client, lychee)
    assert element(page, testid="outlook-fee").words == "20.000 ₫"


def test_a_signed_in_buyers_default_address_decides(client, lychee):
    buyer = make_user(identifier="0912000555")
    save_default_address(
        buyer,
        buyer,
        recipient_name="Lê Minh Anh",
        phone="0912000555",
        province_code="01",
        commune="phường Hoàn Kiếm",
        street="12 Hàng Bạc",
    )
    db.session.commit()
    log_in(client, "0912000555")
    assert element(outlook_html(client, lychee), testid="outlook-fee").words == "20.000 ₫"
    # A province chosen now still wins, for this look
    assert element(outlook_html(client, lychee, "?province=48"), testid="outlook-fee").words == (
        "30.000 ₫"
    )


def test_a_made_up_province_is_ignored(client, lychee):
    page = outlook_html(client, lychee, "?province=99")
    assert element(page, testid="outlook-fee") is None


def test_a_page_showing_a_province_chosen_earlier_is_never_shared(client, lychee):
    client.get("/cart?province=01")
    response = client.get(f"/products/{lychee.slug}")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_a_page_built_from_the_visitors_choice_is_private_whatever_else_it_holds(app):
    # The rule itself, on a page that would otherwise be public
    with app.test_request_context("/products/x"):
        assert cacheable(Response("same for all")).headers["Cache-Control"].startswith("public")
    with app.test_request_context("/products/x"):
        varies_by_visitor()
        response = cacheable(Response("this visitor's"))
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in response.headers


def test_the_cart_shows_each_farms_days_to_the_chosen_province(client, lychee):
    client.post_form("/cart/add", {"variant_id": lychee.variants[0].id, "quantity": "1"})
    page = client.get("/cart?province=01").get_data(as_text=True)
    assert element(page, testid="cart-days").words == "1–2 ngày"
    # The choice is kept: the cart opened again shows the same province
    assert element(client.get("/cart").get_data(as_text=True), testid="cart-days").words == (
        "1–2 ngày"
    )


def test_a_zone_posted_without_days_gets_the_default_days(client, farm):
    log_in(client, "0912000777")
    response = client.post_form(
        f"/dashboard/farms/{farm.id}/delivery/zones",
        {"province_code": "48", "fee_rule": "flat", "fee_vnd": "45000"},
    )
    assert response.status_code == 302
    days = db.session.execute(
        select(DeliveryZone.min_days, DeliveryZone.max_days).where(
            DeliveryZone.province_code == "48"
        )
    ).one()
    assert tuple(days) == (2, 4)
