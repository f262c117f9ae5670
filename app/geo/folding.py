"""Accent folding: the one way Vietnamese names are compared and searched."""

from __future__ import annotations

import re
import unicodedata


def fold_accents(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: "Hải Dương" -> "hai duong"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", stripped.lower()).strip()
