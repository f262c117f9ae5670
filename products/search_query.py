"""What a catalog search asks for, as a small tree of phrases that each database's full-text
syntax renders (products.search_postgres, products.search_sqlite), and one plain SQL test on
the folded name (name_starts_with).

A word the buyer typed matches anywhere as a whole word, the last one as the start of a word
too, since it may be half typed ("thieu" finds "thiều" and "thiệu", "vai thi" "Vải
thiều"); a produce name from the dictionary ("lychee" -> "vải", "vải thiều") matches only
whole words in the product's name, and not in a name it must not be mistaken for
(products.produce_names).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, or_

from products.models import Product
from products.produce_names import SearchTerm, produce_names_holding, search_terms


@dataclass(frozen=True)
class Phrase:
    """Words next to each other; the last one may be the start of a word."""

    words: tuple[str, ...]
    prefix: bool = False
    #: Where it may be: "" anywhere, "A" the product's name (or English name), "AB" the name
    #: or the description (PostgreSQL's weights; SQLite knows the name and the rest).
    weights: str = ""


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Without:
    """`kept` matches and `dropped` does not."""

    kept: Expr
    dropped: Expr


Expr = Phrase | AllOf | AnyOf | Without

NAME, NAME_OR_DESCRIPTION = "A", "AB"
#: The order within a tier of relevance, and of "newest".
NEWEST = (Product.published_at.desc(), Product.id.desc())


def _phrase(text: str, *, prefix: bool = False, weights: str = "") -> Phrase:
    return Phrase(tuple(text.split()), prefix, weights)


def _any(parts: list[Expr]) -> Expr:
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


def _term_anywhere(term: SearchTerm, last: bool) -> Expr:
    typed = _phrase(term.typed, prefix=last)
    if not term.names:
        return typed
    named = _any([_phrase(name, weights=NAME) for name in term.names])
    if term.not_in:
        named = Without(named, _any([_phrase(name, weights=NAME) for name in term.not_in]))
    return AnyOf((typed, named))


def _term_in(term: SearchTerm, typed_text: str, weights: str, last: bool) -> Expr:
    found = _any(
        [_phrase(term.typed, prefix=last, weights=weights)]
        + [_phrase(name, weights=NAME) for name in term.names]
    )
    # "cam" ranks "Cam sành" above "Gạo cẩm", unless the buyer typed "gao cam".
    others = [name for name in term.not_in if name not in typed_text]
    if others:
        return Without(found, _any([_phrase(name, weights=NAME) for name in others]))
    return found


def matching(words: list[str], *, last_is_prefix: bool = True) -> Expr:
    """What a product must hold to be found: every term, each anywhere."""
    terms = search_terms(words)
    return AllOf(
        tuple(_term_anywhere(term, last_is_prefix and term is terms[-1]) for term in terms)
    )


def phrase_in_name(words: list[str]) -> Expr:
    """The whole query, in order, in the name: "vai thieu" in "Vải thiều Thanh Hà"."""
    return _phrase(" ".join(words), prefix=True, weights=NAME)


def terms_in(words: list[str], weights: str = NAME) -> Expr:
    """Every term in the name (or with "AB", the name or the description); a produce by any
    of its names, in the name; none mistaken for another."""
    typed = " ".join(words)
    terms = search_terms(words)
    return AllOf(tuple(_term_in(term, typed, weights, term is terms[-1]) for term in terms))


def leading_names(words: list[str]) -> tuple[str, ...]:
    """What a name that *is* the first thing asked for starts with: the first term as typed,
    its produce's other names, or a produce name holding a typed word. Vietnamese names
    put the produce first: "Vải thiều Lục Ngạn" is lychee, "Mật ong hoa vải" is honey."""
    first = search_terms(words)[0]
    return (first.typed, *first.names, *produce_names_holding(words))


def name_starts_with(words: list[str]):
    """SQL: the folded name starts with one of leading_names(), as whole words."""
    padded = Product.search_name + literal(" ")
    return or_(*(padded.like(f"{name} %") for name in leading_names(words)))
