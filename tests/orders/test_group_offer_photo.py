"""The group offer's photo: its 4:3 box reserved, both stored sizes offered, loaded at once
(it is the top of the page a shared link opens)."""

from __future__ import annotations

from app.extensions import db
from app.images import DISPLAY_SIZE, THUMB_SIZE
from products.models import ProductPhoto
from tests.orders.group_factories import make_offer
from tests.support.markup import find_all


def test_the_offer_photo_keeps_its_box_and_offers_both_sizes(client):
    offer = make_offer()
    db.session.add(
        ProductPhoto(
            product_id=offer.variant.product_id, display_key="p/1.webp", thumb_key="p/1t.webp"
        )
    )
    db.session.commit()

    html = client.get(f"/group/{offer.id}").get_data(as_text=True)

    (img,) = find_all(find_all(html, "div", "gallery")[0], "img")
    assert (img.attrs["width"], img.attrs["height"]) == ("1280", "960")
    assert img.attrs["srcset"] == f"/media/p/1t.webp {THUMB_SIZE}w, /media/p/1.webp {DISPLAY_SIZE}w"
    assert img.attrs["sizes"].endswith("calc(100vw - 2rem)")
    assert img.attrs["fetchpriority"] == "high" and "loading" not in img.attrs
