"""A dashboard table as CSV (app.csv_cells: every text cell made inert) or XLSX (openpyxl:
bold Vietnamese headers, đồng and percentage formats, text never read as a formula)."""

from __future__ import annotations

import io

from app.csv_cells import csv_document
from dashboard.figures import COUNT, DAYS, PERCENT, VND
from dashboard.tables import TEXT, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {COUNT: "#,##0", VND: '#,##0 "₫"', PERCENT: "0.0%", DAYS: "0.0"}


def _plain(value, kind: str):
    """A cell as a spreadsheet wants it: empty for "no value", shares from 0 to 1 rounded."""
    if value is None:
        return ""
    if kind == PERCENT:
        return round(value, 4)
    if kind == DAYS:
        return round(value, 1)
    if kind in (COUNT, VND):
        return int(value)
    return value


def table_csv(table: Table) -> str:
    rows = [[column.label for column in table.columns]]
    for r, row in enumerate(table.rows):
        rows.append([_plain(cell, table.kind_of(r, c)) for c, cell in enumerate(row)])
    return csv_document(rows)


def table_xlsx(table: Table) -> bytes:
    # Imported here: only the download needs it, and every other page starts without it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = table.key[:31]
    for c, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=c, value=column.label)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        width = 48 if column.kind == TEXT else 18
        sheet.column_dimensions[cell.column_letter].width = width
    for r, row in enumerate(table.rows):
        for c, value in enumerate(row):
            kind = table.kind_of(r, c)
            cell = sheet.cell(row=r + 2, column=c + 1)
            plain = _plain(value, kind)
            if plain == "":
                continue
            cell.value = plain
            if isinstance(plain, str):
                # A string is text, whatever it starts with: "=HYPERLINK(…)" stays words.
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
