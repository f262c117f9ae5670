"""The operators' OCOP page says who certified each rating in the reader's language."""

from datetime import timedelta

import pytest

from app.auth.roles import Role
from app.clock import local_today
from products import services
from tests.app.factories import log_in, make_user
from tests.products.factories import make_product
from tests.support.web import page_text


@pytest.fixture
def operator_page(app, client):
    for stars in ("4", "5"):
        product = make_product(name=f"Chè {stars} sao")
        services.set_ocop(
            product,
            product.farm.members[0].user,
            stars=stars,
            decision_number=f"{stars}/QĐ",
            decision_date=local_today() - timedelta(days=30),
        )
    operator = make_user(role=Role.OPERATOR)
    log_in(client, operator.phone)
    return lambda: page_text(client.get("/admin/ocop"))


def test_the_vietnamese_page_says_province_and_ministry_in_vietnamese(operator_page):
    page = operator_page()
    assert "cấp tỉnh)" in page and "cấp trung ương)" in page
    assert "province" not in page and "ministry" not in page


def test_the_english_page_says_who_certified(operator_page, client):
    client.post_form("/language", {"lang": "en"})
    page = operator_page()
    assert "certified by the province)" in page and "certified by the ministry)" in page


def test_a_verified_certificate_and_its_stars_are_read_as_words(app, client):
    """A screen reader hears "OCOP 4 sao" and "Giấy chứng nhận đã xác minh", not "black
    star" four times and a bare check mark."""
    from app.extensions import db
    from products.models import OcopCertificate
    from tests.support.markup import find_all

    product = make_product(name="Chè 4 sao")
    services.set_ocop(
        product,
        product.farm.members[0].user,
        stars="4",
        decision_number="4/QĐ",
        decision_date=local_today() - timedelta(days=30),
    )
    operator = make_user(role=Role.OPERATOR)
    services.verify_ocop(db.session.query(OcopCertificate).one(), operator)
    log_in(client, operator.phone)

    items = find_all(client.get("/admin/ocop").get_data(as_text=True), "li")
    (row,) = [item for item in items if "4/QĐ" in item.spoken()]
    assert row.spoken().startswith("OCOP 4 sao · Chè 4 sao")
    assert row.spoken().endswith("Giấy chứng nhận đã xác minh")
    assert "★" not in row.spoken() and "✓" not in row.spoken()
