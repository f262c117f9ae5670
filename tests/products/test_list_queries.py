"""Every list page of the products domain runs a fixed number of statements, however long."""

from datetime import timedelta

import pytest

from app.auth.roles import Role
from app.clock import local_today
from products import services
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_certification, make_farm
from tests.products.factories import make_product, variant_fields
from tests.support.queries import assert_fixed_queries
from tests.support.web import page_text


@pytest.fixture
def farm(app, client):
    """A farm with a certificate and one product, its farmer logged in."""
    farm = make_farm(name="Vườn vải Cô Lan")
    make_certification(farm)
    _stock(farm, 1)
    log_in(client, farm.members[0].user.phone)
    return farm


def _stock(farm, count: int) -> None:
    """`count` more published products with two variants each."""
    for _ in range(count):
        make_product(farm, prices=(180000, 350000))


@pytest.mark.parametrize(
    "url",
    ["/dashboard/farms/{id}", "/dashboard/farms/{id}/stock", "/farms/{slug}"],
    ids=["overview", "stock", "public-farm-page"],
)
def test_a_farms_product_list_runs_a_fixed_number_of_queries(farm, client, url):
    # When the farm's list grows from one product to six, then its page costs the same
    response = assert_fixed_queries(
        client, url.format(id=farm.id, slug=farm.slug), lambda: _stock(farm, 5)
    )
    assert page_text(response).count("Vải thiều Thanh Hà loại") >= 6


def test_the_ocop_queue_runs_a_fixed_number_of_queries(app, client):
    # Given OCOP decisions waiting for an operator
    operator = make_user(role=Role.OPERATOR)

    def decisions(count: int) -> None:
        for _ in range(count):
            product = make_product()
            services.set_ocop(
                product,
                product.farm.members[0].user,
                stars="4",
                decision_number="QĐ-123/UBND",
                decision_date=local_today() - timedelta(days=30),
            )

    decisions(1)
    log_in(client, operator.phone)

    # When five more arrive, then the queue's page costs the same
    response = assert_fixed_queries(client, "/admin/ocop", lambda: decisions(5))
    assert page_text(response).count("QĐ-123/UBND") == 6


@pytest.mark.parametrize("url", ["/products/{slug}", "/dashboard/products/{id}"])
def test_a_product_page_runs_a_fixed_number_of_queries_whatever_its_variants(farm, client, url):
    # Given a product sold in one size, then in four more
    product = make_product(farm, name="Bưởi Diễn", prices=(90000,))
    owner = farm.members[0].user

    def sizes(count: int) -> None:
        for n in range(count):
            services.add_variant(product, owner, **variant_fields(price_vnd=str(100000 + 1000 * n)))

    # When its page lists them, then it costs the same
    response = assert_fixed_queries(
        client, url.format(slug=product.slug, id=product.id), lambda: sizes(4)
    )
    assert "103.000" in page_text(response)
