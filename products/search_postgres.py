"""Catalog search on PostgreSQL: the stored, weighted `product.search_vector` (names A,
description B, farm and place C) and `product.name_vector`, both folded by the
`nongsan_search` configuration (which runs `unaccent`), with their GIN indexes; pg_trgm's
word similarity for typing mistakes.

The migration 5e7a1c0d9b42 builds the columns, the configuration and the indexes.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, cast, func, literal, literal_column, not_, or_, select
from sqlalchemy.dialects.postgresql import TSQUERY

from app.extensions import db
from products import search_query as q
from products.models import Product

#: Not mapped (the database computes them): read by name. The weighted document (name A,
#: description B, farm and place C) and the name alone, each with its GIN index: a lookup in
#: the name is a lookup in the name's own index, not a check of every product holding the
#: word somewhere (a weight cannot be looked up in an index).
VECTORS = {
    "document": literal_column("product.search_vector"),
    "name": literal_column("product.name_vector"),
}


def _target(phrase: q.Phrase) -> str:
    return "name" if phrase.weights == q.NAME else "document"


def _phrase(phrase: q.Phrase) -> str:
    # The name's vector holds nothing else: no weight to ask for there.
    weight = "" if phrase.weights == q.NAME else phrase.weights
    last = len(phrase.words) - 1
    lexemes = []
    for i, word in enumerate(phrase.words):
        # `'thieu':*AB`: a word starting so, in the name or description. Words are folded
        # ([a-z0-9]), so quoting them is all the escaping tsquery needs.
        label = ("*" if phrase.prefix and i == last else "") + weight
        lexemes.append(f"'{word}':{label}" if label else f"'{word}'")
    return "(" + " <-> ".join(lexemes) + ")"


def _targets(expr: q.Expr) -> set[str]:
    if isinstance(expr, q.Phrase):
        return {_target(expr)}
    if isinstance(expr, q.Without):
        return _targets(expr.kept) | _targets(expr.dropped)
    return set().union(*(_targets(part) for part in expr.parts))


def render(expr: q.Expr) -> str:
    """The tsquery text of a search tree whose phrases all look in one vector."""
    if isinstance(expr, q.Phrase):
        return _phrase(expr)
    if isinstance(expr, q.AllOf):
        return "(" + " & ".join(render(part) for part in expr.parts) + ")"
    if isinstance(expr, q.AnyOf):
        return "(" + " | ".join(render(part) for part in expr.parts) + ")"
    return f"({render(expr.kept)} & !{render(expr.dropped)})"


def condition(expr: q.Expr):
    """SQL for a search tree: one `@@` per part that looks in one vector, joined by AND,
    OR and NOT where the parts look in both."""
    targets = _targets(expr)
    if len(targets) == 1:
        return VECTORS[targets.pop()].op("@@")(cast(literal(render(expr)), TSQUERY))
    if isinstance(expr, q.AllOf):
        return and_(*(condition(part) for part in expr.parts))
    if isinstance(expr, q.AnyOf):
        return or_(*(condition(part) for part in expr.parts))
    return and_(condition(expr.kept), not_(condition(expr.dropped)))


class FullTextMatch:
    """Products holding every term, in tiers: the name starting with what was asked for and
    holding the phrase as typed, then starting with it, then holding every term; then the
    name or description holding every term; then the rest (the farm's name or place). Each
    tier newest first: a GIN lookup, or for a broad search a walk down the newest-first
    index that stops when the page is full (products.catalog)."""

    walkable = True

    def __init__(self, words: list[str]):
        self.words = words
        self.query = q.matching(words)

    def apply(self, statement: Select) -> Select:
        return statement.where(condition(self.query))

    def narrower(self):
        """Products holding every term in the name: a cheap first count, since the name's
        index is small; if they pass the count's limit, so does the whole match."""
        return condition(q.terms_in(self.words, q.NAME))

    def tiers(self) -> list[tuple]:
        in_name = q.terms_in(self.words, q.NAME)
        starts = q.name_starts_with(self.words)
        phrase = q.AllOf((in_name, q.phrase_in_name(self.words)))
        newest = q.NEWEST
        # One `@@` per tier where it can be: the planner estimates one condition far better
        # than several it must assume independent, and picks its plan by that estimate.
        return [
            (and_(condition(phrase), starts), newest),
            (and_(condition(in_name), starts), newest),
            (condition(in_name), newest),
            (condition(q.terms_in(self.words, q.NAME_OR_DESCRIPTION)), newest),
            (condition(self.query), newest),
        ]


#: pg_trgm's word similarity a name needs to be offered for a mistyped search: 0.5 lets
#: "xoia cat" find "Xoài cát" (the default, 0.6, does not); the gate in has_unknown_word
#: keeps it from answering searches whose words all exist.
SIMILARITY_THRESHOLD = "0.5"


def _setting(name: str, value: str) -> str:
    """Set a planner setting for this transaction; returns what it was."""
    before = db.session.scalar(select(func.current_setting(name)))
    db.session.execute(select(func.set_config(name, value, True)))
    return before


def has_unknown_word(words: list[str]) -> bool:
    """Whether a word finds nothing on its own (a typing mistake), one GIN lookup each:
    "lychee hung yen" found nothing because no lychee grows there, not because of a typo."""
    # "Is there one?" makes the planner hope to meet a row early in the table; an unknown
    # word is met nowhere, and the index says so at once.
    before = _setting("enable_seqscan", "off")
    try:
        # The longest first: a mistyped word is more often long, and a short common one
        # ("vai") is the costliest to look up.
        for position, word in sorted(enumerate(words, start=1), key=lambda w: -len(w[1])):
            # As the search reads it: whole, or the start of a word if it is the last.
            alone = q.matching([word], last_is_prefix=position == len(words))
            found = db.session.scalar(
                select(literal(1)).select_from(Product).where(condition(alone)).limit(1)
            )
            if found is None:
                return True
        return False
    finally:
        _setting("enable_seqscan", before)


class SimilarNameMatch:
    """Typing mistakes: names whose words are most like the query ("vai thiue"), through
    pg_trgm's `<%` (word similarity at least SIMILARITY_THRESHOLD) and the trigram index on
    search_name."""

    walkable = True

    def __init__(self, words: list[str]):
        self.typed = " ".join(words)
        # For this transaction only: `<%` reads its threshold from the setting.
        db.session.execute(
            select(func.set_config("pg_trgm.word_similarity_threshold", SIMILARITY_THRESHOLD, True))
        )

    def apply(self, statement: Select) -> Select:
        return statement.where(literal(self.typed).op("<%")(Product.search_name))

    def narrower(self):
        return None

    def tiers(self) -> list[tuple]:
        """One tier, newest first, so that a broad one ("vai thiue": every "Vải thiều")
        reads only the page it shows. Ordering by similarity made PostgreSQL compute it
        for every name sharing a few letters: seconds at a million products."""
        return [(None, q.NEWEST)]
