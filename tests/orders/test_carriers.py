"""Shipping records a carrier from the list and a clean tracking number; the buyer's order
page links the number to that carrier's public tracking page."""

from __future__ import annotations

import pytest

from app.errors import DomainError
from app.extensions import db
from orders import carriers, services
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.support.html_elements import element, elements
from tests.support.snapshots import database_snapshot


@pytest.mark.parametrize(
    ("code", "number", "url"),
    [
        ("ghn", "GYY3XU88", "https://donhang.ghn.vn/?order_code=GYY3XU88"),
        ("ghtk", "S1.BO.MN4", "https://i.ghtk.vn/S1.BO.MN4"),
        (
            "jt_express",
            "862350452337",
            "https://jtexpress.vn/vi/tracking?type=track&billcode=862350452337",
        ),
        ("ninja_van", "NIVN123", "https://www.ninjavan.co/vi-vn/tracking?id=NIVN123"),
        ("best_express", "61234", "https://best-inc.vn/track?bills=61234"),
    ],
)
def test_a_carrier_with_a_parcel_page_opens_on_the_tracking_number(code, number, url):
    assert carriers.tracking(code, number) == carriers.Tracking(url, True)


def test_the_number_is_url_encoded_in_the_link():
    link = carriers.tracking("ghtk", "S1/2-3_4")
    assert link.url == "https://i.ghtk.vn/S1%2F2-3_4"


@pytest.mark.parametrize("code", ["viettel_post", "vnpost"])
def test_a_carrier_without_a_parcel_address_links_its_tracking_page(code):
    link = carriers.tracking(code, "VT123")
    assert not link.opens_parcel and "VT123" not in link.url
    assert link.url.startswith("https://")


def test_without_a_number_the_link_is_the_carriers_own_tracking_form():
    assert carriers.tracking("ghn", None) == carriers.Tracking("https://donhang.ghn.vn/", False)


def test_another_carrier_has_no_link():
    assert carriers.tracking("other", "X1") is None and carriers.tracking(None, None) is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("  S12 345 ", "S12345"), ("", None), (None, None), ("a.b-c/d_e", "a.b-c/d_e")],
)
def test_a_tracking_number_is_trimmed_of_spaces(raw, clean):
    assert carriers.clean_tracking_number(raw) == clean


@pytest.mark.parametrize("raw", ["9" * 41, "<script>", "-abc", "ĐƠN123", "a?b=c", "12#3"])
def test_a_tracking_number_that_is_no_carriers_code_is_refused(raw):
    with pytest.raises(DomainError) as refused:
        carriers.clean_tracking_number(raw)
    assert refused.value.field == "tracking_number"


def test_the_list_offers_every_carrier_used_in_vietnam_and_other():
    codes = [code for code, _ in carriers.carrier_choices()]
    assert codes == [
        "ghn",
        "ghtk",
        "viettel_post",
        "vnpost",
        "jt_express",
        "ninja_van",
        "best_express",
        "other",
    ]


@pytest.fixture
def packed(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    farm.members[0].user.phone = "+84912000777"
    order = make_order(make_product(farm).variants[0], payment_method="cod")
    services.pack_order(order, farm.members[0].user)
    db.session.commit()
    return order


def _owner(order):
    return order.farm.members[0].user


def test_shipping_with_a_listed_carrier_keeps_its_code_and_name(packed):
    services.ship_order(packed, _owner(packed), carrier="ghtk", tracking_number=" S1 23 ")
    assert (packed.carrier_code, packed.carrier, packed.tracking_number) == (
        "ghtk",
        "Giao Hàng Tiết Kiệm (GHTK)",
        "S123",
    )


def test_another_carrier_keeps_the_name_the_farm_wrote(packed):
    services.ship_order(
        packed,
        _owner(packed),
        carrier="other",
        carrier_name=" Xe khách  Hải Phòng ",
        tracking_number="",
    )
    assert (packed.carrier_code, packed.carrier, packed.tracking_number) == (
        "other",
        "Xe khách Hải Phòng",
        None,
    )


@pytest.mark.parametrize(
    ("carrier", "name", "field"),
    [("dhl", None, "carrier"), ("", None, "carrier"), ("other", "  ", "carrier_name")],
)
def test_an_unknown_or_unnamed_carrier_is_refused_and_nothing_changes(packed, carrier, name, field):
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        services.ship_order(
            packed, _owner(packed), carrier=carrier, carrier_name=name, tracking_number="X1"
        )
    assert refused.value.field == field
    assert database_snapshot() == before
    assert packed.status == "packed" and packed.carrier_code is None


def test_the_farm_ships_from_its_order_list_choosing_the_carrier(client, packed):
    log_in(client, "0912000777")
    page = client.get(f"/dashboard/farms/{packed.farm_id}/orders?tab=to_ship").get_data(
        as_text=True
    )
    options = [option.attrs["value"] for option in elements(page, tag="option")]
    assert options[1 : len(carriers.carrier_choices()) + 1] == [
        code for code, _ in carriers.carrier_choices()
    ]

    response = client.post_form(
        f"/dashboard/orders/{packed.id}/ship", {"carrier": "ghtk", "tracking_number": "S99"}
    )

    assert response.status_code == 302
    db.session.refresh(packed)
    assert (packed.status, packed.carrier_code, packed.tracking_number) == (
        "shipped",
        "ghtk",
        "S99",
    )


def test_a_forged_carrier_code_is_refused_over_http_and_nothing_changes(client, packed):
    log_in(client, "0912000777")
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/orders/{packed.id}/ship",
        {"carrier": "fedex", "tracking_number": "1"},
        follow_redirects=True,
    )
    assert "Hãy chọn đơn vị vận chuyển trong danh sách." in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_the_buyers_page_links_the_number_to_the_carriers_page_in_a_new_tab(client, packed):
    services.ship_order(packed, _owner(packed), carrier="ghn", tracking_number="GY/8 H6")
    db.session.commit()

    page = client.get(f"/orders/c/{packed.checkout.access_token}").get_data(as_text=True)

    link = element(page, testid="tracking-link")
    assert link.attrs["href"] == "https://donhang.ghn.vn/?order_code=GY%2F8H6"
    assert (link.attrs["rel"], link.attrs["target"], link.text) == ("noopener", "_blank", "GY/8H6")
    assert "Giao Hàng Nhanh (GHN)" in page


def test_a_carrier_without_parcel_links_shows_the_number_and_its_tracking_page(client, packed):
    services.ship_order(packed, _owner(packed), carrier="viettel_post", tracking_number="VT1")
    db.session.commit()

    page = client.get(f"/orders/c/{packed.checkout.access_token}").get_data(as_text=True)

    assert element(page, testid="tracking-link") is None
    page_link = element(page, testid="tracking-page")
    assert page_link.attrs["href"] == "https://viettelpost.com.vn/tra-cuu-hanh-trinh-don/"
    assert page_link.attrs["rel"] == "noopener" and page_link.attrs["target"] == "_blank"
    assert "VT1" in element(page, testid=f"tracking-{packed.number}").text


def test_another_carriers_name_is_escaped_on_the_buyers_page(client, packed):
    services.ship_order(
        packed, _owner(packed), carrier="other", carrier_name="<b>Xe</b>", tracking_number=""
    )
    db.session.commit()
    page = client.get(f"/orders/c/{packed.checkout.access_token}").get_data(as_text=True)
    assert "&lt;b&gt;Xe&lt;/b&gt;" in page and "<b>Xe</b>" not in page
