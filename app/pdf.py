"""PDF building blocks: the embedded Unicode font that renders Vietnamese, registered once, and
the one way user text enters a PDF (`markup_text` for Paragraph markup, `plain_text` elsewhere)."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# reportlab wraps compressed streams in ASCII85 (a relic of 7-bit mail) with a pure-Python
# encoder: a third of the time and a quarter of the size of a sheet of labels. Binary
# streams are just as valid PDF.
rl_config.useA85 = 0

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


@cache
def register_fonts() -> None:
    """Embed DejaVu Sans (shipped in app/fonts) so every diacritic prints, on any machine."""
    fonts = resources.files("app").joinpath("fonts")
    for name in (REGULAR, BOLD):
        with resources.as_file(fonts.joinpath(f"{name}.ttf")) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    # Without a family, reportlab prints Paragraph's <b> (the slip's captions) in the regular face.
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


#: The most of one piece of user text a document shows: every field the project stores is
#: shorter, and a table row taller than a page would make reportlab give up.
MAX_CHARS = 1000
_ELLIPSIS = "…"


def plain_text(value: object, max_chars: int = MAX_CHARS) -> str:
    """User text fit for a PDF outside markup (drawString, the title and author): control
    characters and lone surrogates, which no font draws and a PDF string should not carry,
    become spaces; runs of white space fold into one."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cs") else char for char in str(value or "")
    )
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + _ELLIPSIS


def markup_text(value: object, max_chars: int = MAX_CHARS) -> str:
    """User text for reportlab's `Paragraph` markup: `<img>`, `<a>`, a stray `<` or `&` are
    printed as they were typed instead of read as tags (which could embed a server file, add
    a link or break the document)."""
    return escape(plain_text(value, max_chars))
