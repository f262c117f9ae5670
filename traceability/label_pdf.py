"""Printable batch QR labels: one PDF for a print run, on a sheet or roll format.

Pure: takes what every label of the run shows and the (address, serial) of each label, returns
PDF bytes; no Flask app, no database. Speed matters (a cooperative prints tens of thousands of
labels for a harvest), so the text every label shares is drawn once as a form XObject, and each
label only adds its QR code and serial.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import qrcode
import qrcode.constants
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen import canvas

from app.pdf import BOLD, REGULAR, register_fonts
from traceability.label_formats import LabelFormat

#: Level M restores up to 15% of the code (a scuffed or creased box). Q would move the usual
#: 31-character address from version 2 to 3, and shrink every module of the smallest label.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
#: The standard asks for 4 modules of light margin; readers manage with 2, and on a 21 mm label
#: the modules saved make every module bigger, which matters more to a phone camera.
QUIET_ZONE_MODULES = 2
#: A fixed mask rather than qrcode's automatic choice, which builds the symbol 8 more times to
#: score each mask and is 5 to 6 times slower (about 280 codes a second here, not 1,650). Every
#: mask is valid and every reader decodes all of them; the scoring only steers away from
#: patterns that look like finder patterns or large blocks of one colour. Measured by decoding
#: 2,600 random addresses per mask (half 31, half 65 characters) on the 38.1 × 21.2 mm label
#: with zbar: at 100 dpi and above every mask and the automatic choice read 100%; starved of
#: resolution (80 and 75 dpi, under 2 pixels a module), mask 3 read 98.5% and 97.0%, the
#: automatic choice 97.6% and 94.1%, mask 0 (the checkerboard) 87% and 79%. Hence mask 3.
MASK_PATTERN = 3

_DARK_RUN = re.compile(rb"\x01+")
_ELLIPSIS = "…"
_FORM = "label-face"


@dataclass(frozen=True)
class LabelFace:
    """What every label of a print run shows, in the buyer's language (the caller translates)."""

    product_name: str
    farm_name: str
    batch_code: str
    #: Already formatted for the reader, e.g. "26/06/2026"; "" leaves the line out.
    harvest_date: str
    ocop_stars: int | None
    #: e.g. "VietGAP · 02-2025/VG"; None leaves the line out.
    certification: str | None
    #: e.g. "Quét để xem nguồn gốc": tells the buyer what the code is for.
    tagline: str
    batch_caption: str = "Lô"
    harvest_caption: str = "Thu hoạch"
    ocop_caption: str = "OCOP"


# Text that fits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    font: str
    size: float
    #: Text too long at `size` shrinks, down to this size, before it loses its end.
    min_size: float
    max_lines: int = 1

    @property
    def leading(self) -> float:
        return self.size * 1.2


@dataclass(frozen=True)
class _Block:
    """Some text set in a style: its lines, and whether the end had to be cut off."""

    lines: tuple[str, ...]
    style: _Style
    cut: bool

    @property
    def height(self) -> float:
        return len(self.lines) * self.style.leading


def _ellipsise(text: str, font: str, size: float, width: float) -> str:
    """`text` cut after as many characters as fit `width` with an ellipsis."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle].rstrip() + _ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + _ELLIPSIS


def _wrap(words: list[str], font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line gets a line of its own."""
    lines: list[str] = []
    for word in words:
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and stringWidth(candidate, font, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _balanced(words: list[str], font: str, size: float, width: float) -> list[str] | None:
    """Two lines of about the same length (nicer than a greedy wrap's lone last word)."""
    best: tuple[float, list[str]] | None = None
    for split in range(1, len(words)):
        lines = [" ".join(words[:split]), " ".join(words[split:])]
        widest = max(stringWidth(line, font, size) for line in lines)
        if widest <= width and (best is None or widest < best[0]):
            best = (widest, lines)
    return best[1] if best else None


def _fit(text: str, style: _Style, width: float) -> _Block:
    """`text` at the largest size down to the style's minimum at which it fits `width` in at
    most `max_lines` lines; at the minimum size the last line ends with an ellipsis."""
    words = text.split()
    size = style.size
    while True:
        lines = _wrap(words, style.font, size, width)
        fits = len(lines) <= style.max_lines and all(
            stringWidth(line, style.font, size) <= width for line in lines
        )
        if fits or size <= style.min_size:
            break
        size = max(style.min_size, size - 0.25)
    fitted = _Style(style.font, size, style.min_size, style.max_lines)
    if fits:
        if len(lines) == 2:
            lines = _balanced(words, style.font, size, width) or lines
        return _Block(tuple(lines), fitted, cut=False)
    kept = lines[: style.max_lines - 1]
    last = " ".join(lines[len(kept) :])
    shortened = [
        line
        if stringWidth(line, style.font, size) <= width
        else _ellipsise(line, style.font, size, width)
        for line in (*kept, last)
    ]
    if stringWidth(last, style.font, size) <= width:  # only earlier lines were too wide
        shortened[-1] = last
    return _Block(tuple(shortened), fitted, cut=True)


# Layout ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where things go on one label, in points from the label's bottom-left corner."""

    width: float
    height: float
    padding: float
    #: The square holding the QR code and its quiet zone, left of the text.
    qr_x: float
    qr_y: float
    qr_size: float
    text_x: float
    text_width: float
    compact: bool
    product: _Style
    body: _Style
    small: _Style

    @classmethod
    def for_format(cls, fmt: LabelFormat) -> _Layout:
        width, height = fmt.label_width_mm * mm, fmt.label_height_mm * mm
        compact = fmt.label_height_mm < 25
        # Office printers place the page to within about 1 mm, and the 24-up sheet's labels
        # touch each other: keep everything clear of the die cut.
        padding = (0.9 if compact else 1.6) * mm
        # The code is what must work: as tall as the label allows, leaving the text at least
        # 40% of the width (the 40 mm roll is the narrow case).
        qr_size = min(height - 2 * padding, width * 0.6 - padding)
        if compact:
            styles = (
                _Style(BOLD, 6.3, 5.0, max_lines=2),
                _Style(REGULAR, 5.0, 4.4),
                _Style(REGULAR, 4.6, 4.0, max_lines=2),
            )
        else:
            scale = min(fmt.label_height_mm / 37, fmt.label_width_mm / 63.5, 1.0)
            styles = (
                _Style(BOLD, 9.5 * scale, 6.0, max_lines=2),
                _Style(REGULAR, 7.0 * scale, 5.0),
                _Style(REGULAR, 6.0 * scale, 4.6, max_lines=2),
            )
        # The quiet zone already separates the code from the text; a hair more for the eye.
        text_x = padding + qr_size + 0.3 * mm
        return cls(
            width=width,
            height=height,
            padding=padding,
            qr_x=padding,
            qr_y=(height - qr_size) / 2,
            qr_size=qr_size,
            text_x=text_x,
            text_width=width - text_x - padding,
            compact=compact,
            product=styles[0],
            body=styles[1],
            small=styles[2],
        )

    @property
    def serial_baseline(self) -> float:
        return self.padding - getAscentDescent(self.small.font, self.small.size)[1]

    def top_blocks(self, face: LabelFace) -> list[_Block]:
        """The lines under the label's top edge, in reading order. When the column is too
        short the least useful go first: certification, farm, OCOP stars, harvest date."""
        width = self.text_width
        stars = f"{face.ocop_caption} {'★' * face.ocop_stars}" if face.ocop_stars else ""
        harvest = f"{face.harvest_caption}: {face.harvest_date}" if face.harvest_date else ""
        # (priority, block, may be cut): a lower priority goes first when room runs out; a
        # date or a certificate number cut in half says nothing, so such lines go whole or not.
        candidates = [
            (9, _fit(face.product_name, self.product, width), True),
            (3, _fit(face.farm_name, self.body, width), True),
            (8, _fit(f"{face.batch_caption}: {face.batch_code}", self.body, width), True),
            (5, _fit(harvest, self.body, width), False),
            (4, _fit(stars, self.body, width), False),
            (2, _fit(face.certification or "", self.body, width), False),
        ]
        kept = [
            (priority, block)
            for priority, block, may_be_cut in candidates
            if block.lines and (may_be_cut or not block.cut)
        ]
        room = self.height - 2 * self.padding - self.small.leading - self.tagline(face).height
        room -= self.small.leading * 0.4  # a gap between the top lines and the tagline
        while sum(block.height for _, block in kept) > room and len(kept) > 1:
            kept.remove(min(kept, key=lambda entry: entry[0]))
        return [block for _, block in kept]

    def tagline(self, face: LabelFace) -> _Block:
        return _fit(face.tagline, self.small, self.text_width)


def _draw_face(page: canvas.Canvas, face: LabelFace, layout: _Layout) -> None:
    """Everything the labels of a run share: the text column except the serial."""
    page.setFillGray(0)
    y = layout.height - layout.padding
    for index, block in enumerate(layout.top_blocks(face)):
        page.setFont(block.style.font, block.style.size)
        if index == 1:
            y -= block.style.size * 0.25  # the product name stands apart from the details
        for line in block.lines:
            y -= block.style.leading
            page.drawString(layout.text_x, y + block.style.size * 0.15, line)
    tagline = layout.tagline(face)
    page.setFont(tagline.style.font, tagline.style.size)
    y = layout.serial_baseline + layout.small.leading
    for line in reversed(tagline.lines):
        page.drawString(layout.text_x, y, line)
        y += tagline.style.leading


# QR codes ----------------------------------------------------------------------------------


class _QREncoder:
    """QR codes for one print run, as PDF path operators."""

    def __init__(self) -> None:
        # The smallest version depends only on the modes and lengths of the data's segments,
        # and the addresses of a run share them: ask qrcode once per shape instead of for every
        # label (its fitting builds the bit stream once more, a third of the encoding time).
        self._versions: dict[tuple[tuple[int, int], ...], int] = {}

    def runs(self, address: str) -> tuple[int, str]:
        """The modules on a side, and one `re` per horizontal run of dark modules (fewer and
        shorter operators than one square per module), in module units from the bottom left."""
        code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0, mask_pattern=MASK_PATTERN)
        code.add_data(address)
        shape = tuple((segment.mode, len(segment)) for segment in code.data_list)
        version = self._versions.get(shape)
        if version is None:
            version = self._versions[shape] = code.best_fit()
        code.version = version
        code.make(fit=False)
        matrix = code.get_matrix()
        side = len(matrix)
        rectangles = []
        for row_index, row in enumerate(matrix):
            y = side - 1 - row_index
            for run in _DARK_RUN.finditer(bytes(row)):
                start, end = run.span()
                rectangles.append(f"{start} {y} {end - start} 1 re")
        return side, "\n".join(rectangles)


# The document ------------------------------------------------------------------------------


@contextmanager
def _without_ascii85() -> Iterator[None]:
    """reportlab wraps compressed streams in ASCII85, a relic of 7-bit mail, with a pure-Python
    encoder (unless the optional rl_accel is installed): a third of the PDF's time and a
    quarter of its size here. The setting is process-wide and read while saving; either value
    makes a valid PDF, so another document saved meanwhile is not harmed."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def render_labels(face: LabelFace, labels: Sequence[tuple[str, str]], fmt: LabelFormat) -> bytes:
    """One PDF with a label per (address, serial), filling each sheet row by row, or one label
    per page on a roll. The addresses go into the QR codes exactly as given."""
    if not labels:
        raise ValueError("a print run needs at least one label")
    register_fonts()
    layout = _Layout.for_format(fmt)
    page_height = fmt.page_height_mm * mm
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(fmt.page_width_mm * mm, page_height), pageCompression=1)
    page.setTitle(f"{face.batch_code} · {face.product_name}")
    page.setAuthor(face.farm_name)
    page.setCreator("Nông Sản Số")
    # The form's bounding box is the label: anything running over its edge would be clipped
    # rather than printed on the neighbouring label.
    page.beginForm(_FORM, 0, 0, layout.width, layout.height)
    _draw_face(page, face, layout)
    page.endForm()

    origins = []
    for slot in range(fmt.labels_per_page):
        left_mm, top_mm = fmt.label_origin_mm(slot)
        origins.append((left_mm * mm, page_height - top_mm * mm - layout.height))
    encoder = _QREncoder()
    small = layout.small
    serial_x, serial_y = layout.text_x, layout.serial_baseline
    for index, (address, serial) in enumerate(labels):
        slot = index % fmt.labels_per_page
        if slot == 0 and index:
            page.showPage()
        x, y = origins[slot]
        page.saveState()
        page.translate(x, y)
        page.doForm(_FORM)
        side, runs = encoder.runs(address)
        module = layout.qr_size / (side + 2 * QUIET_ZONE_MODULES)
        left = layout.qr_x + QUIET_ZONE_MODULES * module
        bottom = layout.qr_y + QUIET_ZONE_MODULES * module
        # One path for the whole code, filled once: no hairline seams between rows on screen.
        page.addLiteral(
            f"q 0 g {module:.4f} 0 0 {module:.4f} {left:.3f} {bottom:.3f} cm\n{runs}\nf Q"
        )
        size = small.size
        serial_width = stringWidth(serial, small.font, size)
        if serial_width > layout.text_width:  # a serial longer than usual: smaller, not cut
            size *= layout.text_width / serial_width
        page.setFont(small.font, size)
        page.drawString(serial_x, serial_y, serial)
        page.restoreState()
    page.showPage()
    with _without_ascii85():
        page.save()
    return buffer.getvalue()
