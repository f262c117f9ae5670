"""The province list shipped in data/provinces.json, and look-ups over it."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Province:
    #: Two-digit code of Quyết định 19/2025/QĐ-TTg, stable while the unit exists.
    code: str
    name: str
    #: "city" for the six centrally-run cities, "province" for the others.
    kind: str
    #: Pre-July-2025 provinces merged into this one.
    former: tuple[str, ...]

    @property
    def display_name(self) -> str:
        # Shown in the language-neutral Vietnamese form; "TP." marks the centrally-run cities.
        return f"TP. {self.name}" if self.kind == "city" else self.name


def fold_accents(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: "Hải Dương" -> "hai duong"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", stripped.lower()).strip()


@cache
def all_provinces() -> tuple[Province, ...]:
    raw = json.loads(resources.files("app.geo").joinpath("data/provinces.json").read_text("utf-8"))
    return tuple(
        Province(code=p["code"], name=p["name"], kind=p["kind"], former=tuple(p["former"]))
        for p in raw["provinces"]
    )


@cache
def _by_code() -> dict[str, Province]:
    return {p.code: p for p in all_provinces()}


_NAME_PREFIXES = ("thanh pho ", "tp ", "tinh ")


@cache
def _by_folded_name() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for province in all_provinces():
        for name in (province.name, *province.former):
            index[fold_accents(name)] = province
    index["ho chi minh city"] = index["sai gon"] = _by_code()["79"]
    return index


def province_by_code(code: str | None) -> Province | None:
    return _by_code().get((code or "").strip())


def province_for_name(name: str) -> Province | None:
    """The current province for a name, old or new, with or without accents or prefix.

    "Hải Dương" and "tinh hai duong" both give Hải Phòng; an unknown name gives None.
    """
    folded = fold_accents(name)
    for prefix in _NAME_PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
            break
    return _by_folded_name().get(folded)
