"""A product's optional English name: set in the product form, shown on English pages, and
the Vietnamese name everywhere else (and when there is no English name)."""

from sqlalchemy import select

from app.extensions import db
from products.models import Product
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.products.factories import make_product, make_ready_to_sell, product_details
from tests.products.test_product_pages import NEW_PRODUCT as PRODUCT_FORM
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch

NEW_PRODUCT = {**PRODUCT_FORM, "english_name": "  Thanh Ha   lychee "}


def _english(client) -> None:
    client.post_form("/language", {"lang": "en"})


def _seller(client):
    farm = make_ready_to_sell(make_farm())
    owner = farm.members[0].user
    owner.phone = "+84912000778"
    db.session.flush()
    log_in(client, "0912000778")
    return farm


def test_the_farmer_gives_an_english_name_in_the_product_form(client):
    farm = _seller(client)
    form = client.get(f"/dashboard/farms/{farm.id}/products/new")
    assert 'name="english_name"' in form.get_data(as_text=True)

    client.post_form(f"/dashboard/farms/{farm.id}/products/new", NEW_PRODUCT)

    product = db.session.scalar(select(Product))
    assert product.english_name == "Thanh Ha lychee"
    assert product.search_name == "vai thieu thanh ha thanh ha lychee"


def test_names_that_fold_longer_than_the_search_column_are_kept(client):
    # Given names at their longest, of a sign that folds to four letters ("㎉" -> "kcal")
    farm = _seller(client)
    response = client.post_form(
        f"/dashboard/farms/{farm.id}/products/new",
        {**NEW_PRODUCT, "name": "㎉" * 160, "english_name": "㎉" * 160},
    )

    # Then the product is saved (no database error), its search copy cut to the column
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    assert len(product.search_name) == 400 and product.search_name.startswith("kcal")


def test_a_too_long_english_name_is_refused_and_nothing_is_created(client):
    farm = _seller(client)
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/farms/{farm.id}/products/new", {**NEW_PRODUCT, "english_name": "x" * 161}
    )
    assert response.status_code == 422 and "quá dài" in page_text(response)
    assert database_snapshot() == before


def test_english_pages_show_the_english_name_and_the_vietnamese_one_beside(client):
    product = make_product(name="Vải thiều Thanh Hà", english_name="Thanh Ha lychee")
    _english(client)

    page = page_text(client.get(f"/products/{product.slug}"))
    catalog = page_text(client.get("/products?q=lychee"))

    assert "Thanh Ha lychee" in page and "Vải thiều Thanh Hà" in page
    assert "Thanh Ha lychee" in catalog and "Vải thiều Thanh Hà" not in catalog


def test_vietnamese_pages_keep_the_vietnamese_name(client):
    product = make_product(name="Vải thiều Thanh Hà", english_name="Thanh Ha lychee")

    page = page_text(client.get(f"/products/{product.slug}"))

    assert "Vải thiều Thanh Hà" in page and "Thanh Ha lychee" not in page


def test_without_an_english_name_english_pages_fall_back_to_the_vietnamese_name(client):
    product = make_product(name="Bưởi da xanh")
    _english(client)

    page = client.get(f"/products/{product.slug}")
    catalog = page_text(client.get("/products?q=pomelo"))

    assert "<h1>Bưởi da xanh</h1>" in page.get_data(as_text=True)
    assert 'data-testid="vietnamese-name"' not in page.get_data(as_text=True)
    assert "Bưởi da xanh" in catalog


def test_a_csv_update_without_the_column_keeps_the_english_name(app):
    from products import services

    product = make_product(name="Vải thiều", english_name="Lychee")
    owner = product.farm.members[0].user
    details = product_details(name="Vải thiều loại 1")  # no english_name, as CSV

    services.update_product(product, owner, **details)

    assert product.english_name == "Lychee" and "lychee" in product.search_name


def test_the_trace_page_in_english_names_the_product_in_english(client):
    farm = make_farm()
    product = make_product(farm, name="Vải thiều Thanh Hà", english_name="Thanh Ha lychee")
    batch = make_batch(farm, product, code="VT2606-E")
    harvest(batch, 2)
    db.session.commit()
    _english(client)

    page = page_text(client.get(f"/trace/{farm.slug}/{batch.code}"))

    assert "Thanh Ha lychee" in page and "Buy Thanh Ha lychee from" in page
