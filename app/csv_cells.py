"""The one way the project writes CSV: every text cell that a spreadsheet would run as a
formula (`=HYPERLINK(…)`, `+`, `-`, `@`, a leading tab or carriage return) is written after an
apostrophe, so Excel and LibreOffice show it as text (OWASP's advice on CSV injection).

A cell that already starts with an apostrophe gets one more, so that `unescape_cell` can take
exactly one off: the product import reads the export back to the same text, whatever it is.
Numbers are written as numbers; only the project's own figures are passed as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

#: A cell starting with one of these runs as a formula in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
#: Excel on Windows reads a file as UTF-8 (and shows Vietnamese) only after this mark.
BOM = "\ufeff"


def escape_cell(value: object) -> object:
    """A text cell made inert (see the module); numbers and None as they are."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, QUOTE)):
        return QUOTE + value
    return value


def unescape_cell(cell: str) -> str:
    """The text `escape_cell` was given: one apostrophe taken off where it added one."""
    if cell.startswith(QUOTE) and cell[1:].startswith((*FORMULA_START, QUOTE)):
        return cell[1:]
    return cell


def csv_document(rows: Iterable[Sequence[object]]) -> str:
    """Rows as one UTF-8 CSV text with a byte-order mark, every cell through `escape_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return BOM + out.getvalue()
