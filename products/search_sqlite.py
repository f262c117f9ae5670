"""Catalog search on SQLite: the FTS5 table `product_search` over the folded search_name and
search_text (triggers keep it in step with product), ranked by bm25 with the name weighing
ten times the rest; typing mistakes are corrected against the index's own vocabulary.

The migration 5e7a1c0d9b42 builds the table, its vocabulary table and the triggers.
"""

from __future__ import annotations

from sqlalchemy import Select, case, column, func, literal_column, select, table

from app.extensions import db
from products import search_query as q
from products.models import Product
from products.produce_names import search_terms

FTS = table("product_search", column("rowid"))
VOCABULARY = table("product_search_vocab", column("term"))
#: bm25 weights of the columns: search_name, search_text.
NAME_WEIGHT, TEXT_WEIGHT = 10.0, 1.0


def _phrase(phrase: q.Phrase) -> str:
    # Words are folded ([a-z0-9]): inside double quotes they are plain tokens.
    text = '"' + " ".join(phrase.words) + '"' + (" *" if phrase.prefix else "")
    return f"search_name : {text}" if phrase.weights == q.NAME else text


def render(expr: q.Expr) -> str:
    """The FTS5 query text of a search tree."""
    if isinstance(expr, q.Phrase):
        return _phrase(expr)
    if isinstance(expr, q.AllOf):
        return "(" + " AND ".join(render(part) for part in expr.parts) + ")"
    if isinstance(expr, q.AnyOf):
        return "(" + " OR ".join(render(part) for part in expr.parts) + ")"
    return f"({render(expr.kept)} NOT {render(expr.dropped)})"


def _match(expr: q.Expr):
    return literal_column("product_search").match(render(expr))


def _first(expr: q.Expr):
    hits = select(FTS.c.rowid).where(_match(expr))
    return case((Product.id.in_(hits), 1), else_=0).desc()


class FullTextMatch:
    """Products holding every term; the name's matches first, then bm25."""

    walkable = False

    def __init__(self, words: list[str]):
        self.words = words
        self.hits = (
            select(
                FTS.c.rowid.label("id"),
                func.bm25(literal_column("product_search"), NAME_WEIGHT, TEXT_WEIGHT).label(
                    "score"
                ),
            )
            .where(_match(q.matching(words)))
            .subquery("hits")
        )

    def apply(self, statement: Select) -> Select:
        return statement.join(self.hits, self.hits.c.id == Product.id)

    def narrower(self):
        return None

    def tiers(self) -> list[tuple]:
        """One tier (SQLite catalogs are small): names holding every term first; among
        them, a name that starts with what was asked for ("Chè … Thái Nguyên" before "Yến
        sào tinh chế Thái Nguyên"), then the phrase as typed; then bm25 (lower is better)."""
        starts = case((q.name_starts_with(self.words), 1), else_=0).desc()
        order = (
            _first(q.terms_in(self.words, q.NAME)),
            starts,
            _first(q.phrase_in_name(self.words)),
            self.hits.c.score.asc(),
            *q.NEWEST,
        )
        return [(None, order)]


def edits(a: str, b: str) -> int:
    """Edits from a to b: insert, delete, substitute, or swap two neighbours ("thiue" is
    one from "thieu")."""
    before_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before_previous[j - 2] + 1)
        before_previous, previous = previous, current
    return previous[len(b)]


def _allowed_edits(word: str) -> int:
    return 1 if len(word) <= 4 else 2


def corrected(words: list[str]) -> list[str] | None:
    """The words, each one the index does not hold (the last: that starts no indexed word)
    replaced by the closest indexed word with the same first letter; None when nothing
    needed or could be corrected."""
    changed, result = False, []
    for position, word in enumerate(words, start=1):
        if search_terms([word])[0].names:  # a produce's name ("lychee"): no mistake
            result.append(word)
            continue
        first = word[0]
        terms = db.session.scalars(
            select(VOCABULARY.c.term).where(
                VOCABULARY.c.term >= first, VOCABULARY.c.term < chr(ord(first) + 1)
            )
        ).all()
        # As the search reads it: whole, or the start of a word if it is the last.
        last = position == len(words)
        if any(term.startswith(word) if last else term == word for term in terms):
            result.append(word)
            continue
        limit = _allowed_edits(word)
        # The fewest edits; then a word it begins ("xoa" -> "xoai", not "xa").
        near = [
            (distance, not term.startswith(word), term)
            for term in terms
            if abs(len(term) - len(word)) <= limit and (distance := edits(word, term)) <= limit
        ]
        if not near:
            return None
        result.append(min(near)[2])
        changed = True
    return result if changed else None
