"""The same class as removing a variant: other one-tap actions that cannot be undone (a
product photo removed, a batch marked sold out) ask for a ticked box too."""

from __future__ import annotations

import io

from PIL import Image

from app.extensions import db
from products import services
from products.models import ProductPhoto
from tests.app.factories import log_in
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch
from traceability.models import Batch


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (176, 32, 48)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_removing_a_photo_needs_the_box_ticked(client):
    product = make_product()
    photo_id = services.add_product_photo(product, product.farm.members[0].user, _jpeg()).id
    db.session.commit()
    log_in(client, product.farm.members[0].user.phone)
    before = database_snapshot()

    refused = client.post_form(
        f"/dashboard/product-photos/{photo_id}/delete", follow_redirects=True
    )

    assert "Đánh dấu ô" in page_text(refused)
    assert database_snapshot() == before
    client.post_form(f"/dashboard/product-photos/{photo_id}/delete", {"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(ProductPhoto, photo_id) is None


def test_marking_a_batch_sold_out_needs_the_box_ticked(client):
    batch = make_batch()
    harvest(batch, 2)
    db.session.commit()
    log_in(client, batch.farm.members[0].user.phone)
    before = database_snapshot()

    refused = client.post_form(f"/dashboard/batches/{batch.id}/sold-out", follow_redirects=True)

    assert "Đánh dấu ô" in page_text(refused)
    assert database_snapshot() == before  # still harvested, no event added to its chain
    client.post_form(f"/dashboard/batches/{batch.id}/sold-out", {"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == "sold_out"
