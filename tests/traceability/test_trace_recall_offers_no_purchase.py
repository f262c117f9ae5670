"""Under a recall the trace page offers nothing to buy (seen on a phone: "Buy Cam sành Hà
Giang from …" under the red banner that says not to eat it)."""

from app.extensions import db
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.web import page_text
from tests.traceability.factories import NOW, harvest, make_batch
from traceability import services


def _batch():
    farm = make_farm(name="Vườn cam Bắc Quang")
    batch = make_batch(farm, make_product(farm, name="Cam sành Hà Giang"), code="CS2611-A")
    harvest(batch, 6, quantity="500")
    db.session.commit()
    return batch


def test_a_batch_trace_page_links_to_buying_its_product(client, app):
    batch = _batch()

    page = page_text(client.get(f"/trace/{batch.farm.slug}/{batch.code}"))

    assert "Mua Cam sành Hà Giang" in page


def test_a_recalled_batch_trace_page_offers_nothing_to_buy(client, app):
    # Given a recalled batch
    batch = _batch()
    services.recall_batch(
        batch, batch.farm.members[0].user, "Dư lượng thuốc vượt mức cho phép", NOW
    )
    db.session.commit()

    # When a consumer opens its trace page
    response = client.get(f"/trace/{batch.farm.slug}/{batch.code}")

    # Then the recall is stated and no link invites them to buy the product
    page = page_text(response)
    assert "Dư lượng thuốc vượt mức cho phép" in page
    assert "Mua Cam sành Hà Giang" not in page
    assert 'data-testid="epcis-link"' in response.get_data(as_text=True)
