"""The 34 province-level units, from the vietnam-provinces package, and look-ups over them.

The package carries the official names and codes; the provinces each unit absorbed on
1 July 2025 are not in it, so they come from data/former_provinces.json (with its source).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import vietnam_provinces

from app.geo.folding import fold_accents

_CITY_PREFIX = "Thành phố "


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


def province_code_of(number: int) -> str:
    """The package numbers units as integers; the project keeps the official two digits."""
    return f"{number:02d}"


@cache
def former_provinces() -> dict[str, tuple[str, ...]]:
    """Former provinces by the code of the unit that absorbed them (all 34 codes listed)."""
    raw = json.loads(
        resources.files("app.geo").joinpath("data/former_provinces.json").read_text("utf-8")
    )
    return {code: tuple(names) for code, names in raw["former"].items()}


@cache
def all_provinces() -> tuple[Province, ...]:
    city = vietnam_provinces.VietNamDivisionType.THANH_PHO_TRUNG_UONG
    provinces = []
    for unit in sorted(vietnam_provinces.Province.iter_all(), key=lambda p: p.code.value):
        code = province_code_of(unit.code.value)
        provinces.append(
            Province(
                code=code,
                name=unit.name.removeprefix(_CITY_PREFIX),
                kind="city" if unit.division_type == city else "province",
                former=former_provinces().get(code, ()),
            )
        )
    return tuple(provinces)


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
