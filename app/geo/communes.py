"""The 3,321 communes, wards and special zones in force since 1 July 2025 (from the
vietnam-provinces package), with cached indexes by code, by province and by folded name."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import vietnam_provinces

from app.geo.folding import fold_accents
from app.geo.provinces import province_code_of

# What people write before the name, folded: "Phường", "P.", "xã", "X.", "đặc khu".
_KIND_PREFIXES = ("phuong ", "xa ", "dac khu ", "p ", "x ")


@dataclass(frozen=True)
class Commune:
    #: Five-digit code of the official list (Tổng cục Thống kê), e.g. "00070".
    code: str
    #: Official name with its kind: "Phường Hoàn Kiếm", "Xã Thanh Hà", "Đặc khu Côn Đảo".
    name: str
    #: Two-digit code of the province or city it belongs to.
    province_code: str


def commune_code_of(number: int) -> str:
    return f"{number:05d}"


def _without_kind(folded: str) -> str:
    for prefix in _KIND_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


@cache
def _by_code() -> dict[str, Commune]:
    return {
        commune_code_of(ward.code.value): Commune(
            code=commune_code_of(ward.code.value),
            name=ward.name,
            province_code=province_code_of(ward.province_code.value),
        )
        for ward in vietnam_provinces.Ward.iter_all()
    }


@cache
def _by_province() -> dict[str, tuple[Commune, ...]]:
    grouped: dict[str, list[Commune]] = {}
    for commune in _by_code().values():
        grouped.setdefault(commune.province_code, []).append(commune)
    # Listed by the name after its kind, as people look for it ("Ba Đình", not "Phường").
    return {
        code: tuple(sorted(communes, key=lambda c: (_without_kind(fold_accents(c.name)), c.code)))
        for code, communes in grouped.items()
    }


@cache
def _folded_names(province_code: str) -> tuple[dict[str, Commune], dict[str, list[Commune]]]:
    """One province's communes by folded full name, and by folded name without the kind."""
    full: dict[str, Commune] = {}
    short: dict[str, list[Commune]] = {}
    for commune in communes_of(province_code):
        folded = fold_accents(commune.name)
        full[folded] = commune
        short.setdefault(_without_kind(folded), []).append(commune)
    return full, short


def all_communes() -> tuple[Commune, ...]:
    return tuple(_by_code().values())


def communes_of(province_code: str | None) -> tuple[Commune, ...]:
    return _by_province().get((province_code or "").strip(), ())


def commune_by_code(code: str | None) -> Commune | None:
    code = (code or "").strip()
    if not (code.isascii() and code.isdigit() and len(code) <= 5):
        return None
    return _by_code().get(code.zfill(5))


def commune_in_province(province_code: str | None, code: str | None) -> Commune | None:
    """The commune with this code when it belongs to this province, else None."""
    commune = commune_by_code(code)
    return commune if commune and commune.province_code == province_code else None


def commune_for_name(province_code: str | None, text: str | None) -> Commune | None:
    """The province's commune a person wrote, with or without accents or its kind.

    "Phường Hoàn Kiếm", "phuong hoan kiem", "P. Hoàn Kiếm" and "Hoàn Kiếm" all give ward
    00070 of Hà Nội. A name two communes of the province share (a ward and a commune both
    called "Tân An") counts only with its kind; anything else gives None.
    """
    folded = fold_accents(text or "")
    if not folded or not communes_of(province_code):
        return None
    full, short = _folded_names(province_code)
    if folded in full:
        return full[folded]
    candidates = short.get(_without_kind(folded), [])
    return candidates[0] if len(candidates) == 1 else None
