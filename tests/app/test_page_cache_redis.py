"""The page cache in Redis keeps pages as text: nothing read back from Redis is unpickled."""

from __future__ import annotations

import pickle

import pytest

from app.page_cache import RedisPageStore, init_page_cache
from tests.products.factories import make_product
from tests.support.redis_server import free_port, redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_page_cache(app, redis_url, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 30)
    init_page_cache(app)
    import redis

    raw = redis.Redis.from_url(redis_url)
    raw.flushdb()
    yield raw
    raw.flushdb()
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    init_page_cache(app)


class _Planted:
    """What an attacker with write access to Redis would store: unpickling it runs code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _page_keys(raw) -> list[bytes]:
    return list(raw.scan_iter(match="nongsan:page:*"))


def test_a_visitors_page_is_kept_in_redis_as_its_text(app, redis_page_cache):
    make_product(name="Bưởi Thanh Hồng pomelo")

    miss = app.test_client().get("/products?q=pomelo")
    hit = app.test_client().get("/products?q=pomelo")

    assert (miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]) == ("miss", "hit")
    assert hit.get_data() == miss.get_data()
    (key,) = _page_keys(redis_page_cache)
    raw = redis_page_cache.get(key)
    assert raw == miss.get_data()  # the page's own UTF-8 bytes, no pickle
    assert 0 < redis_page_cache.ttl(key) <= 30


def test_a_pickle_planted_in_redis_is_never_unpickled(app, redis_page_cache, tmp_path):
    # Given someone who can write to Redis replaced a cached page with a pickle
    make_product(name="Bưởi Thanh Hồng pomelo")
    app.test_client().get("/products?q=pomelo")
    marker = tmp_path / "unpickled"
    for key in _page_keys(redis_page_cache):
        planted = pickle.dumps(_Planted(marker))
        redis_page_cache.set(key, b"!" + planted)  # as cachelib's RedisCache writes

    # When the next visitor asks for the page
    response = app.test_client().get("/products?q=pomelo")

    # Then nothing ran, and the visitor gets the real page
    assert not marker.exists()
    assert response.status_code == 200
    assert "Bưởi Thanh Hồng pomelo" in response.get_data(as_text=True)


def test_redis_being_away_is_a_miss_not_an_error(app):
    import redis

    store = RedisPageStore(redis.Redis(port=free_port(), socket_connect_timeout=0.2), 30)
    assert store.get("anything") is None
    store.set("anything", "<p>page</p>")  # no exception
