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
