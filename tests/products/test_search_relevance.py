"""The 30 searches of tests/products/search_relevance.py, each with its expected first result,
over a catalog made by the benchmarks' seeder (decoys included), on both databases."""

from __future__ import annotations

from app.clock import local_today
from bench.seeding import seed_scale
from products.catalog import CatalogQuery, search_catalog
from tests.products.search_relevance import RELEVANCE, wrong_first_results


def _first_name(typed: str) -> str | None:
    page = search_catalog(CatalogQuery(text=typed), local_today(), per_page=1)
    return page.items[0].name if page.items else None


def test_thirty_searches_put_the_expected_product_first(app):
    seed_scale(68, 3000)
    assert len(RELEVANCE) == 30
    assert wrong_first_results(_first_name) == []
