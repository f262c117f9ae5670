"""Photos on the storefront: a 4:3 box reserved before the file arrives, both stored sizes
offered through srcset/sizes, and only first-screen photos loaded at once."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.images import DISPLAY_SIZE, THUMB_SIZE
from products.models import ProductPhoto
from tests.products.factories import make_product
from tests.support.markup import find_all


def _with_photos(product, count=1):
    """Photo rows only: the pages' HTML needs their keys, not the files."""
    for n in range(count):
        db.session.add(
            ProductPhoto(
                product=product,
                display_key=f"p/{product.id}-{n}.webp",
                thumb_key=f"p/{product.id}-{n}t.webp",
                position=n,
            )
        )
    db.session.flush()
    db.session.expire(product)
    return product


def _card_photos(html):
    return [
        img for card in find_all(html, "article", "product-card") for img in find_all(card, "img")
    ]


def test_the_product_pages_photos_keep_a_4_by_3_box_and_offer_both_stored_sizes(client):
    # Given a product with two photos
    product = _with_photos(make_product(), count=2)

    # When its page is shown
    gallery = find_all(
        client.get(f"/products/{product.slug}").get_data(as_text=True), "div", "gallery"
    )

    # Then each photo has its size (no shift when it arrives) and both files to choose from
    photos = find_all(gallery[0], "img")
    assert len(photos) == 2
    for n, img in enumerate(photos):
        assert (img.attrs["width"], img.attrs["height"]) == ("1280", "960")
        stem = f"/media/p/{product.id}-{n}"
        assert img.attrs["srcset"] == f"{stem}t.webp {THUMB_SIZE}w, {stem}.webp {DISPLAY_SIZE}w"
        # the whole phone width less the page padding; half the page beside the details
        assert img.attrs["sizes"].endswith("calc(100vw - 2rem)") and "484px" in img.attrs["sizes"]


def test_only_the_product_pages_first_photo_loads_at_once_and_first_in_line(client):
    product = _with_photos(make_product(), count=3)
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    first, *others = find_all(find_all(html, "div", "gallery")[0], "img")
    assert "loading" not in first.attrs and first.attrs["fetchpriority"] == "high"
    assert all(o.attrs["loading"] == "lazy" and "fetchpriority" not in o.attrs for o in others)


@pytest.mark.parametrize("url", ["/products", "/products?q=vai"], ids=["catalog", "search"])
def test_the_catalogs_first_screen_of_cards_loads_at_once_and_the_rest_lazily(client, url):
    # Given six products with photos (four fill a 360 px phone's first screen)
    for n in range(6):
        _with_photos(make_product(name=f"Vải thiều số {n}"))

    # When the catalog or a search lists them
    photos = _card_photos(client.get(url).get_data(as_text=True))

    # Then the first four are eager and first in line, the others wait for the scroll
    assert len(photos) == 6
    assert [("loading" in p.attrs, p.attrs.get("fetchpriority")) for p in photos] == [
        (False, "high")
    ] * 4 + [(True, None)] * 2
    assert all(p.attrs["loading"] == "lazy" for p in photos[4:])


def test_cards_offer_both_sizes_at_their_measured_width(client):
    product = _with_photos(
        make_product(name="Cam sành Hà Giang", season_start="1/1", season_end="31/12")
    )
    (img,) = _card_photos(client.get("/").get_data(as_text=True))
    assert (img.attrs["width"], img.attrs["height"]) == ("400", "300")
    assert f"/media/p/{product.id}-0t.webp {THUMB_SIZE}w" in img.attrs["srcset"]
    assert f"/media/p/{product.id}-0.webp {DISPLAY_SIZE}w" in img.attrs["srcset"]
    # half a phone's width less padding and gap: 156 px at 360 px; 237 px in a wide page
    assert img.attrs["sizes"].endswith("calc(50vw - 1.5rem)") and "237px" in img.attrs["sizes"]
    # the home page's cards sit below the welcome text: they stay lazy
    assert img.attrs["loading"] == "lazy" and "fetchpriority" not in img.attrs


def test_the_farm_pages_first_row_of_photos_loads_at_once_and_the_rest_lazily(client):
    """Two photos a row on a phone, right under the farm's name: they are the first screen."""
    from farms.models import FarmPhoto
    from tests.farms.factories import make_farm

    farm = make_farm()
    for n in range(4):
        db.session.add(
            FarmPhoto(farm=farm, display_key=f"f/{n}.webp", thumb_key=f"f/{n}t.webp", position=n)
        )
    db.session.flush()
    db.session.expire(farm)

    html = client.get(f"/farms/{farm.slug}").get_data(as_text=True)
    photos = find_all(find_all(html, "div", "gallery-strip")[0], "img")

    assert [img.attrs.get("fetchpriority") for img in photos] == ["high", "high", None, None]
    assert [img.attrs.get("loading") for img in photos] == [None, None, "lazy", "lazy"]
