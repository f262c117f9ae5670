"""PDF building blocks: the embedded Unicode font that renders Vietnamese, registered once."""

from __future__ import annotations

from functools import cache
from importlib import resources

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
