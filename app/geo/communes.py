"""The 3,321 communes, wards and special zones in force since 1 July 2025 (from the
vietnam-provinces package), with cached indexes by code, by province and by folded name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import vietnam_provinces

from app.geo.folding import fold_accents
from app.geo.provinces import province_code_of

# What people write before the name: "Phường", "P.", "xã", "X.", "đặc khu" (folded or not).
_KIND_PREFIXES = ("phuong ", "phường ", "xa ", "xã ", "dac khu ", "đặc khu ", "p ", "x ")


def _plain(text: str) -> str:
    """Lower case, punctuation as spaces, accents kept: "P. Hoàn  Kiếm" -> "p hoàn kiếm"."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text).lower()).strip()


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
def _names(province_code: str, folded: bool) -> tuple[dict[str, Commune], dict[str, list]]:
    """One province's communes by full name and by name without the kind, written plainly
    (accents kept) or folded."""
    key = fold_accents if folded else _plain
    full: dict[str, Commune] = {}
    short: dict[str, list[Commune]] = {}
    for commune in communes_of(province_code):
        name = key(commune.name)
        full[name] = commune
        short.setdefault(_without_kind(name), []).append(commune)
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
    00070 of Hà Nội. Accents decide first: "Văn Lăng" and "Văn Lang" are two communes of
    Thái Nguyên, so "van lang" alone, which could be either, gives None, as does a name
    the province does not have.
    """
    if not text or not communes_of(province_code):
        return None
    for folded in (False, True):
        written = fold_accents(text) if folded else _plain(text)
        full, short = _names(province_code, folded)
        if written in full:
            return full[written]
        candidates = short.get(_without_kind(written), [])
        if len(candidates) == 1:
            return candidates[0]
    return None
