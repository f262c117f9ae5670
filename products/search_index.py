"""The catalog's text search, on the database's own full-text machinery: PostgreSQL's
tsvector and pg_trgm (products.search_postgres), SQLite's FTS5 (products.search_sqlite).

products.catalog asks for a match and applies it; the match adds its condition to the
statement and gives the relevance order as tiers, which the catalog reads best first. When
nothing matches, `typo_match` tries again, forgiving typing mistakes.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Select

from app.extensions import db
from products import search_postgres, search_sqlite


class TextMatch(Protocol):
    #: Whether the match is a plain condition on the product's own row (`where`), so that a
    #: broad search may walk the newest products testing it (products.catalog._walked_ids);
    #: SQLite's FTS5 match is a join, which that walk would leave out.
    walkable: bool

    def apply(self, statement: Select) -> Select:
        """The statement, keeping only the products that match."""

    def narrower(self):
        """A condition implying the match that is cheaper to count, or None: when more than
        the count's limit meet it, the whole match is not counted."""

    def tiers(self) -> list[tuple]:
        """Relevance: (condition, order) pairs, best first; a product belongs to the first
        tier whose condition it meets, and is ordered within it. Each condition holds the
        one before and implies the match; None stands for the match as applied."""


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def text_match(words: list[str]) -> TextMatch:
    """Products holding every term of the folded words."""
    if _dialect() == "postgresql":
        return search_postgres.FullTextMatch(words)
    return search_sqlite.FullTextMatch(words)


def typo_match(words: list[str]) -> TextMatch | None:
    """A second try for a search that found nothing because a word is found nowhere (a
    typing mistake): PostgreSQL finds the names most like the words (trigrams); SQLite
    corrects each such word to the closest one its index holds. None: no second try."""
    if _dialect() == "postgresql":
        if not search_postgres.has_unknown_word(words):
            return None
        return search_postgres.SimilarNameMatch(words)
    fixed = search_sqlite.corrected(words)
    return search_sqlite.FullTextMatch(fixed) if fixed else None
