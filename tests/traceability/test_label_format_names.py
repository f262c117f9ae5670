"""Label stocks are named as people read them, in each language, never by their id."""

import pytest
from flask_babel import force_locale

from app.extensions import db
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch
from traceability.label_format_names import format_name, format_name_by_id
from traceability.label_formats import FORMATS


@pytest.mark.parametrize(
    ("format_id", "english", "vietnamese"),
    [
        ("a4-65", "A4 · 65 labels 38.1 × 21.2 mm", "A4 · 65 tem 38,1 × 21,2 mm"),
        ("a4-24", "A4 · 24 labels 70 × 37 mm", "A4 · 24 tem 70 × 37 mm"),
        ("a4-21", "A4 · 21 labels 63.5 × 38.1 mm", "A4 · 21 tem 63,5 × 38,1 mm"),
        ("thermal-50x30", "Thermal roll · labels 50 × 30 mm", "Cuộn tem nhiệt · tem 50 × 30 mm"),
    ],
)
def test_each_stock_is_named_in_both_languages(app, format_id, english, vietnamese):
    with app.test_request_context():
        with force_locale("en"):
            assert format_name(FORMATS[format_id]) == english
        with force_locale("vi"):
            assert format_name(FORMATS[format_id]) == vietnamese


def test_an_unknown_stored_id_is_shown_as_it_is(app):
    with app.test_request_context():
        assert format_name_by_id("a5-retired") == "a5-retired"


@pytest.fixture
def farmer_with_batch(app, client):
    farm = make_farm()
    make_growing_area(farm)
    product = make_product(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    db.session.commit()
    log_in(client, farm.members[0].user.phone)
    return batch


def test_the_label_form_and_the_runs_read_as_names_in_english(farmer_with_batch, client):
    batch = farmer_with_batch
    client.post_form("/language", {"lang": "en"})
    client.post_form(f"/dashboard/batches/{batch.id}/labels", {"format": "a4-65", "count": "3"})

    response = client.get(f"/dashboard/batches/{batch.id}")

    html = response.get_data(as_text=True)
    assert 'value="a4-65">A4 · 65 labels 38.1 × 21.2 mm</option>' in html
    assert "3 labels · A4 · 65 labels 38.1 × 21.2 mm" in page_text(response)
    assert "a4-65" not in page_text(response)
