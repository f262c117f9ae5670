"""Catalog search on PostgreSQL: the stored, weighted `product.search_vector` (names A,
description B, farm and place C; folded by the `nongsan_search` configuration, which runs
`unaccent`) with its GIN index, and pg_trgm's word similarity for typing mistakes.

The migration 5e7a1c0d9b42 builds the column, the configuration and the indexes.
"""

from __future__ import annotations

from sqlalchemy import Select, case, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import TSQUERY

from app.extensions import db
from products import search_query as q
from products.models import Product

#: Not mapped (it is computed by the database): read by name.
SEARCH_VECTOR = literal_column("product.search_vector")
#: ts_rank_cd's weights for D, C, B, A: a name counts five times a description.
RANK_WEIGHTS = literal_column("'{0.05, 0.1, 0.2, 1.0}'::float4[]")


def _phrase(phrase: q.Phrase) -> str:
    weight = "A" if phrase.in_name else ""
    last = len(phrase.words) - 1
    lexemes = []
    for i, word in enumerate(phrase.words):
        # `'thieu':*A`: a word starting so, in the name. Words are folded ([a-z0-9]), so
        # quoting them is all the escaping tsquery needs.
        label = ("*" if phrase.prefix and i == last else "") + weight
        lexemes.append(f"'{word}':{label}" if label else f"'{word}'")
    return "(" + " <-> ".join(lexemes) + ")"


def render(expr: q.Expr) -> str:
    """The tsquery text of a search tree."""
    if isinstance(expr, q.Phrase):
        return _phrase(expr)
    if isinstance(expr, q.AllOf):
        return "(" + " & ".join(render(part) for part in expr.parts) + ")"
    if isinstance(expr, q.AnyOf):
        return "(" + " | ".join(render(part) for part in expr.parts) + ")"
    return f"({render(expr.kept)} & !{render(expr.dropped)})"


def _matches(expr: q.Expr):
    return SEARCH_VECTOR.op("@@")(cast(literal(render(expr)), TSQUERY))


def _first(expr: q.Expr):
    return case((_matches(expr), 1), else_=0).desc()


class FullTextMatch:
    """Products holding every term; the name's matches first, then ts_rank_cd's weights."""

    def __init__(self, words: list[str]):
        self.words = words
        self.query = q.matching(words)

    def apply(self, statement: Select) -> Select:
        return statement.where(_matches(self.query))

    def ordering(self) -> list:
        order = [
            _first(q.phrase_in_name(self.words)),
            _first(q.terms_in_name(self.words)),
            q.name_starts_with(self.words),
        ]
        produce = q.produce_in_name(self.words)
        if produce is not None:
            order.append(_first(produce))
        rank = func.ts_rank_cd(
            RANK_WEIGHTS,
            SEARCH_VECTOR,
            cast(literal(render(self.query)), TSQUERY),
        )
        return [*order, rank.desc()]


#: pg_trgm's word similarity a name needs to be offered for a mistyped search: 0.5 lets
#: "xoia cat" find "Xoài cát" (the default, 0.6, does not); the gate in has_unknown_word
#: keeps it from answering searches whose words all exist.
SIMILARITY_THRESHOLD = "0.5"


def has_unknown_word(words: list[str]) -> bool:
    """Whether a word finds nothing on its own (a typing mistake), one GIN lookup each:
    "lychee hung yen" found nothing because no lychee grows there, not because of a typo."""
    for word in words:
        found = db.session.scalar(
            select(literal(1))
            .where(_matches(q.matching([word])))
            .select_from(Product)
            .limit(1)
        )
        if found is None:
            return True
    return False


class SimilarNameMatch:
    """Typing mistakes: names whose words are most like the query ("vai thiue"), through
    pg_trgm's `<%` (word similarity at least SIMILARITY_THRESHOLD) and the trigram index on
    search_name."""

    def __init__(self, words: list[str]):
        self.typed = " ".join(words)
        # For this transaction only: `<%` reads its threshold from the setting.
        db.session.execute(
            select(func.set_config("pg_trgm.word_similarity_threshold", SIMILARITY_THRESHOLD, True))
        )

    def apply(self, statement: Select) -> Select:
        return statement.where(literal(self.typed).op("<%")(Product.search_name))

    def ordering(self) -> list:
        return [func.word_similarity(literal(self.typed), Product.search_name).desc()]
