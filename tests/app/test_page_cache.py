"""The page cache serves anonymous visitors a recent copy, never to signed-in users."""

from __future__ import annotations

import re

import pytest

from app.auth.roles import Role
from app.page_cache import init_page_cache
from tests.app.factories import log_in, make_user
from tests.products.factories import make_product

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def page_cache(app):
    app.config["PAGE_CACHE_SECONDS"] = 30
    init_page_cache(app)
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    init_page_cache(app)


def search(client, text="pomelo"):
    return client.get(f"/products?q={text}")


def test_a_second_visitor_gets_the_first_visitors_page_without_any_session(app, page_cache):
    make_product(name="Bưởi Thanh Hồng pomelo")
    first, second = app.test_client(), app.test_client()

    miss = search(first)
    hit = search(second)

    assert miss.headers["X-Page-Cache"] == "miss"
    assert hit.headers["X-Page-Cache"] == "hit"
    assert "Bưởi Thanh Hồng pomelo" in hit.get_data(as_text=True)
    # Visitors switch language with links: a shared page holds no token and sets no cookie.
    assert "Set-Cookie" not in miss.headers and "Set-Cookie" not in hit.headers
    assert 'href="/language/en?next=/products?q%3Dpomelo"' in hit.get_data(as_text=True)
    switched = second.get("/language/en?next=/products")
    assert switched.status_code == 302 and "lang=en" in switched.headers["Set-Cookie"]


def test_a_page_holding_a_visitors_form_token_is_never_shared(app, page_cache):
    first = app.test_client().get("/_probe/shared-form")
    second = app.test_client().get("/_probe/shared-form")

    assert second.headers["X-Page-Cache"] == "miss"
    assert CSRF.search(first.get_data(as_text=True)).group(1) != CSRF.search(
        second.get_data(as_text=True)
    ).group(1)


def test_anonymous_visitors_see_a_new_product_only_after_the_copy_expires(app, page_cache):
    visitor = app.test_client()
    assert "Chè Tân Cương" not in search(visitor, "tan+cuong").get_data(as_text=True)
    make_product(name="Chè Tân Cương")

    assert "Chè Tân Cương" not in search(visitor, "tan+cuong").get_data(as_text=True)
    app.extensions["nongsan_page_cache"].clear()
    assert "Chè Tân Cương" in search(visitor, "tan+cuong").get_data(as_text=True)


def test_signed_in_users_always_get_a_fresh_page(app, client, page_cache):
    search(app.test_client(), "tan+cuong")
    make_product(name="Chè Tân Cương")
    log_in(client, make_user(Role.BUYER).phone)

    page = search(client, "tan+cuong")

    assert "X-Page-Cache" not in page.headers
    assert "Chè Tân Cương" in page.get_data(as_text=True)


def test_each_language_has_its_own_copy(app, page_cache):
    vietnamese, english = app.test_client(), app.test_client()
    english.set_cookie("lang", "en")

    search(vietnamese)
    page = search(english)

    assert page.headers["X-Page-Cache"] == "miss"
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_a_page_showing_a_message_is_never_shared(app, page_cache):
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("success", "Đã thêm vào giỏ hàng.")]

    assert "Đã thêm vào giỏ hàng." in search(visitor).get_data(as_text=True)

    assert "Đã thêm vào giỏ hàng." not in search(app.test_client()).get_data(as_text=True)
