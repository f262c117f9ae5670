"""A fixed list of searches and what their first result must be, over the catalog that
bench.seeding makes (its decoys included: "Gạo cẩm", "Cá tra", "Hộp quà giới thiệu…",
"Quế Trà Bồng", "Mật ong hoa vải", descriptions saying "… giới thiệu …").

Used by tests/products/test_search_relevance.py on both databases and printed by
bench/catalog.py as "relevance: N/30 first results right".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.geo import fold_accents

#: (what the buyer types, a pattern the folded name of the first result must match).
RELEVANCE: tuple[tuple[str, str], ...] = (
    # Unaccented, accented, upper case, đ.
    ("vai thieu", r"^vai thieu\b"),
    ("VẢI THIỀU", r"^vai thieu\b"),
    ("Bưởi Đoan Hùng", r"^buoi doan hung\b"),
    ("sau rieng", r"^sau rieng\b"),
    ("xoai cat hoa loc", r"^xoai cat hoa loc\b"),
    ("nuoc mam phu quoc", r"^nuoc mam phu quoc\b"),
    ("nhan long hung yen", r"^nhan long hung yen\b"),
    ("gao st25", r"^gao st25\b"),
    ("sam ngoc linh", r"^sam ngoc linh\b"),
    # A word that is also part of other words or names: the produce comes first.
    ("thieu", r"^vai thieu\b"),
    ("cam", r"^cam\b"),
    ("tra", r"^tra\b"),
    ("thanh long", r"^thanh long\b"),
    ("gao cam", r"^gao cam\b"),
    ("ca tra", r"^(kho )?ca tra\b"),
    # Typing mistakes.
    ("vai thiue", r"^vai thieu\b"),
    ("sau rieg", r"^sau rieng\b"),
    ("buoi da xnah", r"^buoi da xanh\b"),
    ("xoia cat", r"^xoai cat\b"),
    # English names.
    ("lychee", r"^vai\b"),
    ("orange", r"^cam\b"),
    ("tea", r"^(che|tra)\b"),
    ("pomelo", r"^buoi\b"),
    ("durian", r"^sau rieng\b"),
    ("dragon fruit", r"^thanh long\b"),
    ("fish sauce", r"^nuoc mam\b"),
    ("honey", r"^mat ong\b"),
    # Several words, a province, a place.
    ("che thai nguyen", r"^che\b.*\bthai nguyen\b"),
    ("dak lak", r"\bdak lak\b"),
    ("cam sanh ha giang", r"^cam sanh ha giang\b"),
)


def wrong_first_results(first_name: Callable[[str], str | None]) -> list[tuple[str, str | None]]:
    """The searches whose first result is not the expected one, with what came first;
    `first_name(text)` is the name of the first result of a search (None: nothing found)."""
    wrong = []
    for typed, expected in RELEVANCE:
        name = first_name(typed)
        if name is None or not re.search(expected, fold_accents(name)):
            wrong.append((typed, name))
    return wrong
