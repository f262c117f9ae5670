"""Prices, fees and thresholds in đồng as farmers type them: "125.000", "125,000", "125 000"
and "125000" read alike; anything that could be misread is refused with a clear message and
nothing changes; a stored amount is shown grouped ("125.000") when the form comes back."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.form_fields import Form, VndField
from app.validation import read_vnd
from orders.delivery import settings_for
from products.models import Variant
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product, variant_fields
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

BAD_AMOUNT = "Hãy viết số tiền bằng số đồng, ví dụ 125.000 hoặc 125000 (không có phần lẻ)."


@pytest.mark.parametrize(
    "typed",
    [
        "125000",
        "125.000",
        "125,000",
        "125 000",
        "125\u00a0000",
        " 125.000 ₫",
        "125.000đ",
        "125000 VND",
        "125.000 đồng",
    ],
)
def test_every_common_way_of_writing_an_amount_reads_the_same(typed):
    assert read_vnd(typed) == 125000


@pytest.mark.parametrize("typed", ["1.250.000", "1,250,000", "1 250 000"])
def test_millions_read_with_every_group(typed):
    assert read_vnd(typed) == 1250000


@pytest.mark.parametrize(
    "typed",
    [
        "12,5",  # a decimal, or a mistyped thousand: either way not an amount of đồng
        "125.00",
        "125.000,00",
        "1.25.000",
        "1.250,000",  # two kinds of separator
        "1000.000",
        ".125",
        "125.",
        "-5",
        "1e5",
        "١٢٥",
        "²",
        "một trăm",
        "",
    ],
)
def test_an_amount_that_could_be_misread_is_refused(typed):
    assert read_vnd(typed) is None


class _PriceForm(Form):
    class Meta:
        csrf = False

    price = VndField("Price")
    threshold = VndField("Threshold", required=False)


def test_the_field_reads_the_integer_and_shows_it_grouped(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        form = _PriceForm(formdata=MultiDict({"price": "125,000", "threshold": ""}))
        assert form.validate()
        assert (form.price.data, form.threshold.data) == (125000, None)
        assert 'value="125.000"' in form.price()
        assert 'inputmode="numeric"' in form.price()

        refused = _PriceForm(formdata=MultiDict({"price": "12,5"}))
        assert not refused.validate()
        assert refused.price.errors == [BAD_AMOUNT]
        assert 'value="12,5"' in refused.price()  # what was typed, to correct it

        empty = _PriceForm(formdata=MultiDict({"price": " "}))
        assert not empty.validate() and empty.price.errors

        stored = _PriceForm(formdata=None, price=4200000)
        assert 'value="4.200.000"' in stored.price()


def test_english_pages_group_with_commas(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert 'value="125,000"' in _PriceForm(formdata=None, price=125000).price()


@pytest.fixture
def seller(client):
    farm = deliver_everywhere(make_farm(name="Vườn vải Thành Hà"))
    product = make_product(farm, prices=(180000,))
    db.session.commit()
    log_in(client, farm.members[0].user.phone)
    return farm, product


def test_a_variant_price_with_thousands_separators_is_saved(client, seller):
    _, product = seller

    client.post_form(
        f"/dashboard/products/{product.id}/variants", variant_fields(price_vnd="250.000")
    )

    prices = db.session.scalars(select(Variant.price_vnd).where(Variant.product_id == product.id))
    assert sorted(prices) == [180000, 250000]


def test_a_variant_form_shows_the_stored_price_grouped(client, seller):
    variant = seller[1].variants[0]

    page = client.get(f"/dashboard/variants/{variant.id}").get_data(as_text=True)

    assert 'value="180.000"' in page


def test_a_misread_price_is_refused_and_nothing_changes(client, seller):
    variant = seller[1].variants[0]
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/variants/{variant.id}", variant_fields(price_vnd="18,5")
    )

    assert response.status_code == 422
    assert BAD_AMOUNT in page_text(response)
    assert 'value="18,5"' in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_the_bulk_editor_shows_prices_grouped_and_refuses_a_misread_one(client, seller):
    farm, product = seller
    variant = product.variants[0]
    assert 'value="180.000"' in client.get(f"/dashboard/farms/{farm.id}/stock").get_data(
        as_text=True
    )
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/farms/{farm.id}/stock",
        {f"stock-{variant.id}": "5", f"price-{variant.id}": "1.90.000"},
    )

    assert response.status_code == 422
    assert "ví dụ 125.000 hoặc 125000" in page_text(response)
    assert database_snapshot() == before


def test_delivery_amounts_take_separators_and_come_back_grouped(client, seller):
    farm, _ = seller

    client.post_form(
        f"/dashboard/farms/{farm.id}/delivery",
        {"min_order_vnd": "100.000", "free_delivery_from_vnd": "1,000,000", "pickup_enabled": ""},
    )
    client.post_form(
        f"/dashboard/farms/{farm.id}/delivery/zones",
        {"province_code": "01", "fee_rule": "flat", "fee_vnd": "35 000", "weight_step_grams": ""},
    )

    settings = settings_for(farm)
    db.session.refresh(settings)
    assert (settings.min_order_vnd, settings.free_delivery_from_vnd) == (100000, 1000000)
    assert 35000 in [zone.fee_vnd for zone in settings.zones]
    page = client.get(f"/dashboard/farms/{farm.id}/delivery").get_data(as_text=True)
    assert 'value="100.000"' in page and 'value="1.000.000"' in page


def test_a_misread_delivery_fee_is_refused_and_nothing_changes(client, seller):
    farm, _ = seller
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/farms/{farm.id}/delivery/zones",
        {"province_code": "01", "fee_rule": "flat", "fee_vnd": "35.5", "weight_step_grams": ""},
    )
    settings_response = client.post_form(
        f"/dashboard/farms/{farm.id}/delivery",
        {"min_order_vnd": "100.00", "free_delivery_from_vnd": "", "pickup_enabled": ""},
    )

    assert response.status_code == settings_response.status_code == 422
    assert BAD_AMOUNT in page_text(response) and BAD_AMOUNT in page_text(settings_response)
    assert database_snapshot() == before
