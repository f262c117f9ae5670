"""The label stocks a farm can print batch QR labels on: A4 sheets of die-cut labels and rolls.

Pure data, in millimetres, measured from the top-left corner of the page as the stock makers
publish them; `traceability.label_pdf` turns them into PDF points, and
`traceability.label_format_names` names them for people ("A4 · 65 labels 38.1 × 21.2 mm").
"""

from __future__ import annotations

from dataclasses import dataclass

A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0


@dataclass(frozen=True)
class LabelFormat:
    """One label stock: the page, and where each label of the page sits on it."""

    #: Short stable id, used in URLs and forms; people read traceability.label_format_names.
    id: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    columns: int = 1
    rows: int = 1
    #: Distance from the page's left edge to the first column's left edge.
    left_mm: float = 0.0
    #: Distance from the page's top edge to the first row's top edge.
    top_mm: float = 0.0
    #: Distance between the left edges of two neighbouring columns (label width + gap).
    column_pitch_mm: float = 0.0
    #: Distance between the top edges of two neighbouring rows (label height + gap).
    row_pitch_mm: float = 0.0

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    @property
    def is_a4(self) -> bool:
        return (self.page_width_mm, self.page_height_mm) == (A4_WIDTH_MM, A4_HEIGHT_MM)

    @property
    def is_sheet(self) -> bool:
        """True for a sheet of several labels, False for a roll (one label per page)."""
        return self.labels_per_page > 1

    def label_origin_mm(self, index: int) -> tuple[float, float]:
        """Top-left corner (x from the left, y from the top) of the `index`-th label of a page,
        filled row by row as people read a sheet."""
        row, column = divmod(index, self.columns)
        return (
            self.left_mm + column * self.column_pitch_mm,
            self.top_mm + row * self.row_pitch_mm,
        )

    @property
    def used_area_mm(self) -> tuple[float, float, float, float]:
        """Left, top, right and bottom edges of the block of labels on the page."""
        right, bottom = self.label_origin_mm(self.labels_per_page - 1)
        return self.left_mm, self.top_mm, right + self.label_width_mm, bottom + self.label_height_mm


def _a4_sheet(
    format_id: str,
    size: tuple[float, float],
    grid: tuple[int, int],
    *,
    left: float,
    top: float,
    column_pitch: float,
    row_pitch: float,
) -> LabelFormat:
    return LabelFormat(
        id=format_id,
        page_width_mm=A4_WIDTH_MM,
        page_height_mm=A4_HEIGHT_MM,
        label_width_mm=size[0],
        label_height_mm=size[1],
        columns=grid[0],
        rows=grid[1],
        left_mm=left,
        top_mm=top,
        column_pitch_mm=column_pitch,
        row_pitch_mm=row_pitch,
    )


def _roll(format_id: str, width: float, height: float) -> LabelFormat:
    # Roll printers take a page the size of one label; the driver feeds to the next gap.
    return LabelFormat(format_id, width, height, width, height)


FORMATS: dict[str, LabelFormat] = {
    fmt.id: fmt
    for fmt in (
        # The common 65-up sheet (Avery L7651 and its clones); rows touch, columns have gaps.
        _a4_sheet(
            "a4-65",
            (38.1, 21.2),
            (5, 13),
            left=4.7,
            top=10.7,
            column_pitch=40.6,
            row_pitch=21.2,
        ),
        # 24-up without gaps (Avery 3475 style): labels run to the page's left and right edges.
        _a4_sheet(
            "a4-24",
            (70.0, 37.0),
            (3, 8),
            left=0.0,
            top=0.5,
            column_pitch=70.0,
            row_pitch=37.0,
        ),
        # 21-up (Avery L7160 and its clones).
        _a4_sheet(
            "a4-21",
            (63.5, 38.1),
            (3, 7),
            left=7.2,
            top=15.15,
            column_pitch=66.0,
            row_pitch=38.1,
        ),
        _roll("thermal-50x30", 50.0, 30.0),
        _roll("thermal-40x30", 40.0, 30.0),
    )
}

DEFAULT_FORMAT_ID = "a4-65"
