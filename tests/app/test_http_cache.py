"""Pages every visitor sees alike tell browsers and proxies so (app/http_cache.py): public,
a short max-age and an ETag; the rest, and label scans, are never stored."""

from __future__ import annotations

import pytest

from app.auth.roles import Role
from app.clock import local_today
from app.extensions import db
from products import services as product_services
from tests.app.factories import log_in, make_user
from tests.products.factories import make_product, season_day_ahead
from tests.traceability.factories import harvest, make_batch, record
from traceability import labels

PUBLIC = "public, max-age=30, stale-if-error=300"


@pytest.fixture
def batch(app):
    batch = make_batch(code="VT-A")
    harvest(batch, 3)
    db.session.commit()
    return batch


def out_of_season(**overrides):
    """A product out of season, with no pre-orders: its page shows no "add to cart" form, so
    it holds no visitor's token."""
    opens = season_day_ahead(local_today())
    season = f"{opens.day}/{opens.month}"
    product = make_product(season_start=season, season_end=season, **overrides)
    db.session.commit()
    return product


def pages(batch, product) -> list[str]:
    return [
        "/",
        "/products",
        f"/products/{product.slug}",
        f"/farms/{batch.farm.slug}",
        f"/trace/{batch.farm.slug}/VT-A",
    ]


def test_pages_that_are_the_same_for_every_visitor_are_public_with_an_etag(client, batch):
    product = out_of_season()

    for url in pages(batch, product):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == PUBLIC, url
        assert response.headers["ETag"].startswith('W/"'), url
        # A browser asks again once its cookies change (signed in, language, cart).
        assert {"Accept-Language", "Cookie"} <= set(response.vary), url
        assert "Set-Cookie" not in response.headers, url


def test_a_matching_if_none_match_is_answered_304_without_a_body(client, batch):
    product = out_of_season()

    for url in pages(batch, product):
        etag = client.get(url).headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.get_data() == b"" and again.headers["ETag"] == etag, url
        assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_a_change_to_the_product_or_the_batch_changes_the_etag(client, batch):
    product = out_of_season(name="Bưởi Thanh Hồng")
    urls = [f"/products/{product.slug}", "/products", f"/trace/{batch.farm.slug}/VT-A"]
    before = [client.get(url).headers["ETag"] for url in urls]

    (variant,) = product.variants
    product_services.set_stock_and_price(
        variant, product.farm.members[0].user, stock="40", price_vnd="195000"
    )
    record(batch, "shipping", 1, to_whom="Siêu thị Hà Nội")
    db.session.commit()
    after = [client.get(url).headers["ETag"] for url in urls]

    assert all(old != new for old, new in zip(before, after, strict=True)), (before, after)
    old_product_etag = before[0]
    assert client.get(urls[0], headers={"If-None-Match": old_product_etag}).status_code == 200


def test_a_signed_in_user_gets_private_pages(client, batch):
    product = out_of_season()
    make_user(Role.BUYER, identifier="0912000555")
    log_in(client, "0912000555")

    for url in pages(batch, product):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "private, no-store", url
        assert "ETag" not in response.headers, url


def test_a_page_holding_the_visitors_form_token_is_private(client):
    product = make_product()  # in stock: its page holds the "add to cart" form
    db.session.commit()

    response = client.get(f"/products/{product.slug}")

    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_a_label_scan_is_never_cacheable(client, batch):
    run = labels.issue_labels(batch, batch.farm.members[0].user, "a4-65", 1)
    (label,) = labels.run_labels(run)
    db.session.commit()

    response = client.get(f"/T/{label.serial}", headers={"If-None-Match": "*"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert label.serial in response.get_data(as_text=True)


def test_a_page_showing_a_message_is_private(client):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã thêm vào giỏ hàng.")]

    response = client.get("/products")

    assert "Đã thêm vào giỏ hàng." in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
