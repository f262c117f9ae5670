"""The checkout's address: the province carried from the cart or the saved address, the
commune or ward chosen from that province's official list, and the move to the review."""

import re

import pytest
from sqlalchemy import select

from app.auth.services import save_default_address
from app.extensions import db
from orders.models import Checkout
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text, review_fields

HOAN_KIEM, THANH_HA = "00070", "10813"  # a ward of Hà Nội (01), a commune of Hải Phòng (31)
CONTACT = {
    "name": "Lê Minh Anh",
    "phone": "0987 654 321",
    "email": "",
    "province_code": "31",
    "commune": THANH_HA,
    "street": "Thôn Thúy Lâm",
    "payment_method": "cod",
}


def options(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', block)


def selected(html: str, select_id: str) -> str | None:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block)
    return (match.group(1) or match.group(2)) if match else None


@pytest.fixture
def in_cart(client):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    db.session.commit()
    client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "2"})
    return variant


@pytest.fixture
def buyer_in_hanoi(client, in_cart):
    buyer = make_user(identifier="0912000888", full_name="Lê Minh Anh")
    save_default_address(
        buyer,
        buyer,
        recipient_name="Lê Minh Anh",
        phone="0987 654 321",
        province_code="01",
        commune=HOAN_KIEM,
        street="12 Hàng Bạc",
    )
    db.session.commit()
    log_in(client, "0912000888")
    client.post_form("/cart/add", {"variant_id": in_cart.id, "quantity": "2"})
    return buyer


def test_the_province_chosen_in_the_cart_carries_into_checkout(client, in_cart):
    cart = client.get("/cart?province=31").get_data(as_text=True)
    assert 'href="/checkout?province=31"' in cart

    html = client.get("/checkout?province=31").get_data(as_text=True)

    assert selected(html, "province_code") == "31"
    communes = options(html, "commune")
    assert communes[0] == "" and THANH_HA in communes and HOAN_KIEM not in communes
    assert len(communes) == 1 + 114  # Hải Phòng's communes and wards, after "choose"


def test_a_province_that_is_not_on_the_list_carries_nothing(client, in_cart):
    html = client.get("/checkout?province=99").get_data(as_text=True)
    assert selected(html, "province_code") is None
    assert options(html, "commune") == [""]
    assert "Chọn tỉnh hoặc thành phố trước" in html


def test_the_saved_address_prefills_province_and_commune(client, buyer_in_hanoi):
    html = client.get("/checkout").get_data(as_text=True)
    assert selected(html, "province_code") == "01"
    assert selected(html, "commune") == HOAN_KIEM


def test_the_cart_province_wins_over_the_saved_one_and_its_commune_is_chosen_again(
    client, buyer_in_hanoi
):
    html = client.get("/checkout?province=31").get_data(as_text=True)
    assert selected(html, "province_code") == "31"
    assert selected(html, "commune") is None and THANH_HA in options(html, "commune")
    assert 'value="12 Hàng Bạc"' in html  # the rest of the address still pre-fills


def test_a_saved_address_never_matched_to_the_list_asks_for_the_commune(client, buyer_in_hanoi):
    address = buyer_in_hanoi.default_address
    address.commune, address.commune_code = "khu tập thể Kim Liên", None
    db.session.commit()

    html = client.get("/checkout").get_data(as_text=True)

    assert selected(html, "commune") is None
    assert 'data-testid="choose-commune"' in html and "khu tập thể Kim Liên" in html


def test_changing_the_province_lists_its_communes_and_saves_nothing(client, in_cart):
    before = database_snapshot()
    response = client.post_form(
        "/checkout",
        {**CONTACT, "province_code": "19", "commune": THANH_HA, "show_communes": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Hãy chọn" not in page_text(response)
    assert selected(html, "province_code") == "19" and selected(html, "commune") is None
    assert "05503" in options(html, "commune")  # Xã Tân Cương, Thái Nguyên
    assert 'value="Thôn Thúy Lâm"' in html  # what was typed stays
    assert database_snapshot() == before


def test_a_commune_of_another_province_is_refused_and_nothing_is_placed(client, in_cart):
    review = client.post_form("/checkout", {**CONTACT, "step": "review"})
    before = database_snapshot()

    response = client.post_form(
        "/checkout",
        {**CONTACT, "commune": HOAN_KIEM, "step": "place", **review_fields(review)},
    )

    assert response.status_code == 422
    assert "Hãy chọn xã hoặc phường trong danh sách của TP. Hải Phòng." in page_text(response)
    assert database_snapshot() == before


def test_a_missing_commune_is_asked_for(client, in_cart):
    response = client.post_form("/checkout", {**CONTACT, "commune": "", "step": "review"})
    assert response.status_code == 422
    assert "Hãy chọn xã hoặc phường của bạn trong danh sách." in page_text(response)


def test_the_order_keeps_the_commune_code_and_its_official_name(client, in_cart):
    review = client.post_form("/checkout", {**CONTACT, "step": "review"})
    response = client.post_form("/checkout", {**CONTACT, "step": "place", **review_fields(review)})
    assert response.status_code == 302
    checkout = db.session.scalar(select(Checkout))
    assert (checkout.province_code, checkout.commune_code) == ("31", THANH_HA)
    assert checkout.address_line == "Thôn Thúy Lâm, Xã Thanh Hà, TP. Hải Phòng"


def test_a_commune_written_as_the_list_writes_it_is_accepted(client, in_cart):
    # A browser that sends the name (an old bookmark, an assistive tool) reaches the same code.
    response = client.post_form(
        "/checkout", {**CONTACT, "commune": "xã Thanh Hà", "step": "review"}
    )
    assert response.status_code == 200 and 'id="review"' in response.get_data(as_text=True)


def test_review_moves_the_page_to_the_review(client, in_cart):
    form_page = client.get("/checkout").get_data(as_text=True)
    assert 'action="/checkout#review"' in form_page

    review = client.post_form("/checkout", {**CONTACT, "step": "review"})

    html = review.get_data(as_text=True)
    assert review.status_code == 200 and '<section class="card" id="review"' in html
    # "Place" leaves the anchor behind: the order page has no review to move to.
    assert re.search(r'value="place" formaction="/checkout"', html)
