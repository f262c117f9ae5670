"""An unknown id: services raise the domain's NotFound (they know no HTTP), pages answer 404."""

import pytest

from app.auth.roles import Role
from app.errors import NotFound
from farms.services import get_farm_for
from orders.services import get_order_for_farm
from products.services import get_product_for
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.support.web import page_text
from traceability.services import get_batch_for

MISSING = 987654

LOOKUPS = [get_farm_for, get_product_for, get_order_for_farm, get_batch_for]

PAGES = [
    f"/dashboard/farms/{MISSING}/profile",
    f"/dashboard/products/{MISSING}",
    f"/dashboard/orders/{MISSING}/packing-slip.pdf",
    f"/dashboard/batches/{MISSING}",
    f"/dashboard/farms/{MISSING}/orders",
]


@pytest.mark.parametrize("lookup", LOOKUPS, ids=lambda f: f.__name__)
def test_a_service_raises_not_found_for_an_unknown_id(app, lookup):
    farmer = make_farm().members[0].user

    with pytest.raises(NotFound):
        lookup(farmer, MISSING)


@pytest.mark.parametrize("url", PAGES)
def test_a_page_for_an_unknown_id_is_the_404_page_in_the_users_language(app, client, url):
    farmer = make_user(role=Role.FARMER)
    make_farm(owner=farmer)
    log_in(client, farmer.phone)

    response = client.get(url)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page_text(response)

    client.post_form("/language", {"lang": "en"})
    response = client.get(url)
    assert response.status_code == 404 and "Page not found" in page_text(response)
