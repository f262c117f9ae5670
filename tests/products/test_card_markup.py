"""Product cards for screen readers: headings in order, OCOP stars and the verified tick as
words rather than glyphs or a title."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.roles import Role
from app.clock import local_today
from farms import services as farm_services
from products import services
from tests.app.factories import make_user
from tests.products.factories import make_product
from tests.support.markup import find_all, parse


def _ocop_product(stars: str):
    product = make_product(name="Chè Tân Cương", season_start="1/1", season_end="31/12")
    certificate = services.set_ocop(
        product,
        product.farm.members[0].user,
        stars=stars,
        decision_number="2087/QĐ-UBND",
        decision_date=local_today() - timedelta(days=30),
    )
    services.verify_ocop(certificate, make_user(role=Role.OPERATOR))
    return product


def _verified_product():
    product = make_product(name="Cam sành Hà Giang", season_start="1/1", season_end="31/12")
    farm_services.verify_farm(product.farm, make_user(role=Role.OPERATOR))
    return product


@pytest.mark.parametrize("url", ["/products", "/products?q=vai"], ids=["catalog", "search"])
def test_cards_right_under_the_catalogs_h1_are_h2(client, url):
    make_product(name="Vải thiều Thanh Hà")
    cards = find_all(client.get(url).get_data(as_text=True), "article", "product-card")
    assert cards and all(find_all(c, "h2") and not find_all(c, "h3") for c in cards)


def test_cards_under_the_home_pages_h2_sections_are_h3(client):
    make_product(name="Vải thiều Thanh Hà", season_start="1/1", season_end="31/12")
    cards = find_all(client.get("/").get_data(as_text=True), "article", "product-card")
    assert cards and all(find_all(c, "h3") and not find_all(c, "h2") for c in cards)


def test_a_cards_ocop_stars_are_read_as_words_and_the_glyphs_are_hidden(client):
    # Given a product with a verified three-star OCOP certificate
    _ocop_product("3")

    # When a card shows it
    (stars,) = find_all(client.get("/products").get_data(as_text=True), "p", "stars")

    # Then a screen reader says "OCOP 3 sao" (an aria-label on a <p> is ignored), the eye sees stars
    assert stars.spoken() == "OCOP 3 sao"
    assert stars.seen() == "★★★ OCOP"
    assert "aria-label" not in stars.attrs


def test_the_product_pages_ocop_stars_are_read_without_the_glyphs(client):
    product = _ocop_product("4")
    (stars,) = find_all(
        client.get(f"/products/{product.slug}").get_data(as_text=True), "p", "stars"
    )
    assert "★" not in stars.spoken() and "OCOP 4 sao" in stars.spoken()
    assert stars.seen().startswith("★★★★ OCOP 4 sao")


@pytest.mark.parametrize(
    ("language", "words"), [("vi", "Nông trại đã xác minh"), ("en", "Verified farm")]
)
def test_the_verified_tick_says_so_in_words_on_cards_and_the_new_farms_list(
    client, language, words
):
    # Given a verified farm's product in season (a card and a "new farms" entry on the home page)
    _verified_product()
    client.set_cookie("lang", language)

    # When the home page and the catalog show them
    home = parse(client.get("/").get_data(as_text=True))
    catalog = parse(client.get("/products").get_data(as_text=True))

    # Then every tick is a ✓ for the eye and words for a screen reader, not just a title
    ticks = find_all(home, "span", "badge-verified") + find_all(catalog, "span", "badge-verified")
    assert len(ticks) >= 3  # the home card, the new farms entry, the catalog card
    assert all(t.seen() == "✓" and t.spoken() == words for t in ticks)
