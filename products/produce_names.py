"""The common produce of Vietnam by its Vietnamese and English names, so that a search for
"lychee" finds "Vải thiều" and a search for "vải" finds a product called "Lychee".

Pure data and a phrase finder; products.catalog turns what it finds into SQL. Names are
compared accent-folded (as search stores them), whole words only, and only in product names.
Folding makes some words collide ("cam" is orange, "cẩm" a purple rice; "nhãn" longan,
"nhân" a kernel): `not_in` lists the names that hold the word but are something else. Words
that collide too often to be useful ("dừa"/"dưa"/"dứa", "nấm"/"Nam", "nho"/"nhỏ") are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.geo import fold_accents


@dataclass(frozen=True)
class Produce:
    vietnamese: tuple[str, ...]
    english: tuple[str, ...]
    #: Vietnamese names holding one of the words above that name something else.
    not_in: tuple[str, ...] = ()


PRODUCE: tuple[Produce, ...] = (
    Produce(("vải", "vải thiều"), ("lychee", "litchi")),
    Produce(("nhãn",), ("longan",), ("hạt điều nhân", "điều nhân", "nhân sâm", "nhân hạt")),
    Produce(("chôm chôm",), ("rambutan",)),
    Produce(("xoài",), ("mango",)),
    Produce(("thanh long",), ("dragon fruit", "pitaya", "pitahaya")),
    Produce(("sầu riêng",), ("durian",)),
    # Exporters sell bưởi as "grapefruit" as often as "pomelo".
    Produce(("bưởi",), ("pomelo", "grapefruit")),
    Produce(("cam",), ("orange",), ("gạo cẩm", "nếp cẩm", "Cam Ranh", "Cam Lâm", "cam thảo")),
    Produce(("chanh",), ("lime",), ("chanh dây", "chanh leo")),
    Produce(("chanh dây", "chanh leo"), ("passion fruit",)),
    Produce(("mãng cầu", "na"), ("custard apple", "sugar apple"), ("mãng cầu xiêm",)),
    Produce(("mãng cầu xiêm",), ("soursop",)),
    Produce(("mít",), ("jackfruit",)),
    Produce(("măng cụt",), ("mangosteen",)),
    Produce(("bơ",), ("avocado",), ("thịt bò", "bò khô", "bò một nắng")),
    Produce(("ổi",), ("guava",)),
    Produce(("chuối",), ("banana",)),
    Produce(("đu đủ",), ("papaya",)),
    Produce(("dưa hấu",), ("watermelon",)),
    Produce(("vú sữa",), ("star apple",)),
    Produce(("dâu tây",), ("strawberry",)),
    Produce(("cà phê",), ("coffee",)),
    Produce(("chè", "trà"), ("tea",), ("cá tra", "chế biến")),
    Produce(("gạo",), ("rice",)),
    Produce(("nếp", "gạo nếp"), ("sticky rice", "glutinous rice")),
    Produce(("mật ong",), ("honey",)),
    Produce(("tiêu", "hồ tiêu"), ("pepper", "black pepper")),
    Produce(("điều", "hạt điều"), ("cashew",)),
    Produce(("đậu phộng", "lạc"), ("peanut",), ("Lạc Dương", "Lạc Sơn", "Lạc Thủy")),
    Produce(("mắc ca",), ("macadamia",)),
    Produce(("ca cao",), ("cocoa", "cacao")),
    Produce(("tỏi",), ("garlic",)),
    Produce(("gừng",), ("ginger",)),
    Produce(("ớt",), ("chili", "chilli")),
    Produce(("khoai lang",), ("sweet potato",)),
    Produce(("cà chua",), ("tomato",)),
    Produce(("dưa leo", "dưa chuột"), ("cucumber",)),
    Produce(("bắp cải",), ("cabbage",)),
    Produce(("hạt sen",), ("lotus seed",)),
    Produce(("hoa hồi",), ("star anise",)),
    Produce(("yến sào",), ("bird's nest", "birds nest", "bird nest")),
    Produce(("nước mắm",), ("fish sauce",)),
)


@dataclass(frozen=True)
class SearchTerm:
    """One thing the buyer asked for: the words as typed (folded), and, when they name a
    produce, all of its names (folded) and the names it must not be mistaken for."""

    typed: str
    names: tuple[str, ...] = ()
    not_in: tuple[str, ...] = ()


@cache
def _phrases() -> dict[tuple[str, ...], Produce]:
    """Every name of every produce, as a tuple of folded words."""
    found: dict[tuple[str, ...], Produce] = {}
    for produce in PRODUCE:
        for name in (*produce.vietnamese, *produce.english):
            found.setdefault(tuple(fold_accents(name).split()), produce)
    return found


def _singular(word: str) -> tuple[str, ...]:
    """The word and the forms an English plural may hide it under (mangoes, lychees)."""
    forms = [word]
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s"):
        forms.append(word[:-1])
    return tuple(forms)


def _match_at(words: list[str], start: int) -> tuple[int, Produce] | None:
    """The longest produce name starting at words[start]: its length in words and produce."""
    phrases = _phrases()
    longest = max(len(phrase) for phrase in phrases)
    for length in range(min(longest, len(words) - start), 0, -1):
        wanted = words[start : start + length]
        for phrase, produce in phrases.items():
            if len(phrase) == length and all(
                word in _singular(typed) for word, typed in zip(phrase, wanted, strict=True)
            ):
                return length, produce
    return None


def search_terms(words: list[str]) -> list[SearchTerm]:
    """Folded query words grouped into terms: a produce name ("dragon fruit", "chôm chôm")
    becomes one term that any of its names satisfies; any other word stays a term alone."""
    terms: list[SearchTerm] = []
    start = 0
    while start < len(words):
        match = _match_at(words, start)
        if match is None:
            terms.append(SearchTerm(words[start]))
            start += 1
            continue
        length, produce = match
        typed = " ".join(words[start : start + length])
        # The typed words match anywhere already; the other names add whole-word matches.
        names = tuple(
            " ".join(phrase)
            for phrase, found in _phrases().items()
            if found is produce and " ".join(phrase) != typed
        )
        not_in = tuple(fold_accents(name) for name in produce.not_in)
        terms.append(SearchTerm(typed, names, not_in))
        start += length
    return terms


def produce_names_holding(words: list[str]) -> tuple[str, ...]:
    """The multi-word produce names (folded) that hold one of these words but are not all
    typed: "thieu" gives "vai thieu", so that ranking can put a product named after the
    produce above one that merely holds the word ("giới thiệu")."""
    typed = " ".join(words)
    return tuple(
        " ".join(phrase)
        for phrase in _phrases()
        if len(phrase) > 1 and set(phrase) & set(words) and " ".join(phrase) not in typed
    )
