"""No request ends in a 500: the malformed requests seen so far, each a named regression,
then a property-based walk of every route and form with hostile values (see below)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.validation import MAX_ID, parse_vnd, parse_whole_number
from orders.models import CartItem, Checkout
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.web import page_text

SIGNUP = {
    "full_name": "Nguyễn Thị Mai",
    "identifier": "0912 345 678",
    "password": "vai-thieu-2026",
    "confirm": "vai-thieu-2026",
    "account_type": "buyer",
}
ADDRESS = {
    "name": "Lê Minh Anh",
    "phone": "0987 654 321",
    "email": "",
    "province_code": "01",
    "commune": "phường Hoàn Kiếm",
    "street": "12 Hàng Bạc",
    "payment_method": "bank_transfer",
}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _as_file(text: str):
    return (io.BytesIO(text.encode()), "field.txt")


@pytest.fixture
def lychee(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    db.session.commit()
    return variant


# A text field sent as a multipart file part ---------------------------------------------


def test_a_text_field_sent_as_a_file_on_signup_is_a_form_error(client):
    users = _count(User)

    response = client.post_form(
        "/signup",
        {**SIGNUP, "full_name": _as_file("Nguyễn Thị Mai")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "Vui lòng điền mục này." in page_text(response)
    assert _count(User) == users


def test_a_text_field_sent_as_a_file_on_checkout_is_a_form_error(client, lychee):
    client.post_form("/cart/add", {"variant_id": lychee.id, "quantity": "1"})

    response = client.post_form(
        "/checkout",
        {**ADDRESS, "street": _as_file("12 Hàng Bạc"), "step": "review"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "Vui lòng điền mục này." in page_text(response)
    assert _count(Checkout) == 0


def test_a_form_sent_as_json_is_not_read_as_a_form(client, lychee):
    # Flask-WTF reads a JSON body as form data: a number or a list where text is expected.
    log_in(client, make_user().phone)
    token = client.csrf_token()

    response = client.post(
        "/profile",
        json={"full_name": 12345, "csrf_token": token},
        headers={"X-CSRFToken": token},
    )

    assert response.status_code < 500


# Digits that are not ASCII digits --------------------------------------------------------


@pytest.mark.parametrize("name", ["page", "price_min", "price_max", "stars"])
def test_superscript_digit_in_catalog_arguments_is_ignored_and_explained(client, lychee, name):
    response = client.get(f"/products?{name}=²")

    assert response.status_code == 200
    assert "Vải thiều" in page_text(response)
    assert "phải là số nguyên nên đã bị bỏ qua." in page_text(response)


def test_superscript_digit_in_page_is_refused(client, lychee):
    assert client.get("/products?page=1²").status_code == 200


@pytest.mark.parametrize("text", ["²", "1²", "١٢٣", "１２３", "125.000²"])
def test_superscript_or_foreign_digits_in_money_are_refused(text):
    with pytest.raises(DomainError):
        parse_vnd(text, "price_vnd", "giá")


@pytest.mark.parametrize("text", ["²", "-²", "٣", "1" * 5000])
def test_superscript_or_foreign_digits_in_whole_numbers_are_refused(text):
    with pytest.raises(DomainError):
        parse_whole_number(text, "stock", "tồn kho")


def test_a_number_longer_than_python_converts_is_out_of_range_not_a_crash():
    with pytest.raises(DomainError, match="out of range|ngoài"):
        parse_vnd("9" * 5000, "price_vnd", "giá")


def test_superscript_digit_in_a_variant_price_is_a_form_error(client, lychee):
    log_in(client, lychee.product.farm.members[0].user.phone)
    response = client.post_form(
        f"/dashboard/variants/{lychee.id}",
        {
            "unit": "box",
            "pack_kg": "2",
            "price_vnd": "²",
            "weight_grams": "2300",
            "stock": "40",
            "min_order_qty": "1",
        },
    )

    assert response.status_code == 422
    db.session.refresh(lychee)
    assert lychee.price_vnd == 180000


def test_superscript_digits_in_a_season_are_a_form_error(client, lychee):
    product = lychee.product
    log_in(client, product.farm.members[0].user.phone)
    response = client.post_form(
        f"/dashboard/products/{product.id}",
        {
            "name": product.name,
            "category": product.category,
            "growing_area_id": "",
            "season_start": "1/²",
            "season_end": "1/8",
        },
    )

    assert response.status_code == 422
    db.session.refresh(product)
    assert product.season_start is None


# Field names and ids that do not fit -----------------------------------------------------


def test_a_field_named_price_abc_on_checkout_asks_again(client, lychee):
    client.post_form("/cart/add", {"variant_id": lychee.id, "quantity": "1"})

    response = client.post_form("/checkout", {**ADDRESS, "step": "place", "price-abc": "1"})

    assert response.status_code == 422
    assert _count(Checkout) == 0


@pytest.mark.parametrize("variant_id", [str(2**31), str(2**63), str(10**27), "1" * 5000, "²"])
def test_a_variant_id_past_the_database_range_on_cart_add_is_refused(client, lychee, variant_id):
    buyer = make_user()
    log_in(client, buyer.phone)

    response = client.post_form(
        "/cart/add", {"variant_id": variant_id, "quantity": "1"}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "Sản phẩm này không còn được bán." in page_text(response)
    assert _count(CartItem) == 0


@pytest.mark.parametrize("quantity", [str(2**31), str(2**64), "1" * 5000, "²", "-1"])
def test_a_quantity_past_any_limit_on_cart_add_is_refused(client, lychee, quantity):
    log_in(client, make_user().phone)

    response = client.post_form("/cart/add", {"variant_id": lychee.id, "quantity": quantity})

    assert response.status_code == 302
    assert _count(CartItem) == 0


@pytest.mark.parametrize("number", [MAX_ID + 1, 2**63, 10**27])
def test_an_id_past_the_database_range_in_an_address_is_not_found(client, lychee, number):
    log_in(client, lychee.product.farm.members[0].user.phone)

    assert client.get(f"/dashboard/variants/{number}").status_code == 404
    assert client.get(f"/dashboard/farms/{number}/orders").status_code == 404
    assert client.get(f"/dashboard/farms/{'9' * 5000}/orders").status_code == 404


def test_foreign_digits_in_an_address_id_are_not_found(client, lychee):
    log_in(client, lychee.product.farm.members[0].user.phone)

    assert client.get("/dashboard/variants/١").status_code == 404


@pytest.mark.parametrize("name", ["price_min", "price_max"])
def test_a_price_filter_past_any_price_is_answered(client, lychee, name):
    response = client.get(f"/products?{name}=999999999999")

    assert response.status_code == 200


def test_a_huge_page_number_is_answered_with_the_last_page(client, lychee):
    response = client.get(f"/products?page={2**63}")

    assert response.status_code == 200
    assert "Vải thiều" in page_text(response)
