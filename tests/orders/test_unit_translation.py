"""Units read in the reader's language: an order line keeps the Vietnamese label it was
bought under (history), and English pages and mails translate its unit word, keeping the
weight; Vietnamese pages show it untouched."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.extensions import db
from products.units import translate_unit_label
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact, place_one
from tests.products.factories import make_product
from tests.support.web import page_text


@pytest.mark.parametrize(
    ("stored", "english", "vietnamese"),
    [
        ("Hộp 2 kg", "Box 2 kg", "Hộp 2 kg"),
        ("Hộp quà 1,5 kg", "Gift box 1.5 kg", "Hộp quà 1,5 kg"),
        ("Hũ 0,5 kg", "Jar 0.5 kg", "Hũ 0,5 kg"),
        ("Túi 1.000 kg", "Bag 1,000 kg", "Túi 1.000 kg"),
        ("Quả", "Piece", "Quả"),
        ("kg", "kg", "kg"),
        # Lines bought on English pages before labels were kept in Vietnamese.
        ("Box 1.5 kg", "Box 1.5 kg", "Hộp 1,5 kg"),
        # A farmer's own word is theirs: nothing to translate.
        ("buồng", "buồng", "buồng"),
        ("Hộp to 2 kg", "Hộp to 2 kg", "Hộp to 2 kg"),
    ],
)
def test_a_stored_label_reads_in_each_language(app, stored, english, vietnamese):
    with app.test_request_context():
        with force_locale("en"):
            assert translate_unit_label(stored) == english
        with force_locale("vi"):
            assert translate_unit_label(stored) == vietnamese


@pytest.fixture
def boxed_order(app):
    """A buyer who shops in English ordered two boxes of 2,5 kg of lychees."""
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    variant = make_product(farm, name="Vải thiều", prices=(250000,)).variants[0]
    variant.pack_kg = Decimal("2.5")
    with app.test_request_context(), force_locale("en"):
        checkout = place_one(variant, contact=hanoi_contact(), language="en")
    db.session.commit()
    return checkout


def test_the_line_keeps_the_vietnamese_label_whatever_the_buyer_read(boxed_order):
    assert boxed_order.orders[0].lines[0].unit_label == "Hộp 2,5 kg"


def test_the_order_page_translates_the_unit_in_english_only(boxed_order, client):
    url = f"/orders/c/{boxed_order.access_token}"
    assert "(Hộp 2,5 kg)" in page_text(client.get(url))

    client.post_form("/language", {"lang": "en"})
    english = page_text(client.get(url))

    assert "(Box 2.5 kg)" in english and "Hộp" not in english


def test_the_farm_order_list_translates_the_unit_for_a_farmer_reading_english(boxed_order, client):
    order = boxed_order.orders[0]
    log_in(client, order.farm.members[0].user.phone)
    url = f"/dashboard/farms/{order.farm_id}/orders?tab=all"
    assert "(Hộp 2,5 kg)" in page_text(client.get(url))

    client.post_form("/language", {"lang": "en"})

    assert "(Box 2.5 kg)" in page_text(client.get(url))


def test_the_english_mail_translates_the_unit(app, outbox):
    farm = deliver_everywhere(make_farm())
    variant = make_product(farm, name="Bưởi", prices=(60000,)).variants[0]
    db.session.commit()
    place_one(variant, payment_method="cod", contact=hanoi_contact(), language="en")
    db.session.commit()

    body = outbox[-1].get_body().get_content()
    assert "(Box 2 kg)" in body and "Hộp" not in body
