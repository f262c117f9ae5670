"""Printable batch QR labels: one PDF for a print run, on a sheet or roll format.

Pure: takes what every label of the run shows and the (address, serial) of each label, returns
PDF bytes; no Flask app, no database. Speed matters (a run has up to 10,000 labels, printed
while the farmer waits), so the text every label shares is drawn once as a form XObject, each
label only adds its QR code (one vector path) and its serial. The face's text is the farm's:
it is drawn as plain text (never markup), without control characters (`app.pdf.plain_text`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import qrcode
import qrcode.constants
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen import canvas

from app.pdf import BOLD, REGULAR, plain_text, register_fonts
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
#: The priority of the lines a label cannot do without (product and batch).
_ALWAYS_SHOWN = 9
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


@dataclass
class _Candidate:
    """A line of the label face that may have to shorten, or go, to leave room for others."""

    priority: float
    text: str
    style: _Style
    may_be_cut: bool
    block: _Block = _Block((), _Style(REGULAR, 1, 1), cut=False)

    def settle(self, width: float, max_lines: int) -> bool:
        """Fit the text in at most `max_lines` lines; False when that cannot show it."""
        self.block = _fit(self.text, replace(self.style, max_lines=max_lines), width)
        return bool(self.block.lines) and (self.may_be_cut or not self.block.cut)


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
    """`text` in at most `max_lines` lines of `width`: on one line if shrinking it by at most
    15% will do, else at the largest size down to the style's minimum that fits the lines; at
    the minimum size, the last line ends with an ellipsis."""
    words = text.split()
    size = style.size
    one_line = stringWidth(text, style.font, size)
    if style.max_lines > 1 and width < one_line <= width / 0.85:
        size = max(style.min_size, size * width / one_line)
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
    product: _Style
    body: _Style
    tagline_style: _Style
    serial: _Style

    @classmethod
    def for_format(cls, fmt: LabelFormat) -> _Layout:
        width, height = fmt.label_width_mm * mm, fmt.label_height_mm * mm
        compact = fmt.label_height_mm < 25
        # Office printers place the page to within about 1 mm, and the 24-up sheet's labels
        # touch each other: keep everything clear of the die cut.
        padding = (0.9 if compact else 1.6) * mm
        # The code is what must work: as tall as the label allows, but on a wide label no more
        # than half of it (a phone reads a 25 mm code from anywhere), for larger text.
        qr_size = min(height - 2 * padding, max(width / 2, 22 * mm) - padding)
        # Point sizes for a 37 mm label, smaller on lower ones; 4 pt is about the smallest
        # that office and 203 dpi thermal printers keep legible.
        scale = min(fmt.label_height_mm / 37, 1.0)
        product = _Style(BOLD, max(9.5 * scale, 6.3), 5.0, max_lines=2)
        body = _Style(REGULAR, max(7.0 * scale, 5.0), 4.4, max_lines=2)
        tagline = _Style(BOLD, max(6.0 * scale, 4.6), 4.0, max_lines=2)
        serial = _Style(REGULAR, max(6.0 * scale, 4.6), 4.0)
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
            product=product,
            body=body,
            tagline_style=tagline,
            serial=serial,
        )

    @property
    def serial_baseline(self) -> float:
        return self.padding - getAscentDescent(self.serial.font, self.serial.size)[1]

    def top_blocks(self, face: LabelFace) -> list[_Block]:
        """The lines under the label's top edge, in reading order, as many as fit."""
        stars = f"{face.ocop_caption} {'★' * face.ocop_stars}" if face.ocop_stars else ""
        harvest = f"{face.harvest_caption}: {face.harvest_date}" if face.harvest_date else ""
        # When the column is too short, the lowest priority goes first: a block's second line
        # (priority - 0.5) before the block. The product and batch always stay. A date or a
        # certificate number cut short says nothing, so those show whole or not at all.
        candidates = [
            _Candidate(_ALWAYS_SHOWN, face.product_name, self.product, may_be_cut=True),
            _Candidate(4, face.farm_name, self.body, may_be_cut=True),
            _Candidate(
                _ALWAYS_SHOWN,
                f"{face.batch_caption}: {face.batch_code}",
                self.body,
                may_be_cut=True,
            ),
            _Candidate(6, harvest, self.body, may_be_cut=False),
            _Candidate(5, stars, self.body, may_be_cut=False),
            _Candidate(3, face.certification or "", self.body, may_be_cut=False),
        ]
        kept = [c for c in candidates if c.settle(self.text_width, c.style.max_lines)]
        room = self.height - 2 * self.padding - self.serial.leading - self.tagline(face).height
        room -= self.serial.leading * 0.4 + self.product_gap  # see _draw_face()
        while sum(c.block.height for c in kept) > room:
            choices = [(c.priority - 0.5, c) for c in kept if len(c.block.lines) > 1]
            choices += [(c.priority, c) for c in kept if c.priority < _ALWAYS_SHOWN]
            if not choices:
                break  # the form's bounding box clips the rest; no format gets here
            priority, chosen = min(choices, key=lambda choice: choice[0])
            whole = priority == chosen.priority
            if whole or not chosen.settle(self.text_width, len(chosen.block.lines) - 1):
                kept.remove(chosen)
        return [c.block for c in kept]

    @property
    def product_gap(self) -> float:
        """Extra space under the product name, so that it stands apart from the details."""
        return self.body.size * 0.25

    def tagline(self, face: LabelFace) -> _Block:
        return _fit(face.tagline, self.tagline_style, self.text_width)


def _draw_face(page: canvas.Canvas, face: LabelFace, layout: _Layout) -> None:
    """Everything the labels of a run share: the text column except the serial."""
    page.setFillGray(0)
    y = layout.height - layout.padding
    for index, block in enumerate(layout.top_blocks(face)):
        page.setFont(block.style.font, block.style.size)
        if index == 1:
            y -= layout.product_gap
        for line in block.lines:
            y -= block.style.leading
            page.drawString(layout.text_x, y + block.style.size * 0.15, line)
    tagline = layout.tagline(face)
    page.setFont(tagline.style.font, tagline.style.size)
    y = layout.serial_baseline + layout.serial.leading
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
        #: Per symbol size, the `re` operator of each run, keyed by its span in the modules.
        self._rectangles: dict[int, dict[tuple[int, int], str]] = {}

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
        # The rows joined with a light module between them, so that no run wraps onto the next.
        modules = b"\x00".join(map(bytes, matrix))
        # Formatting the operator is half the cost of a run; the same run recurs in most codes.
        known = self._rectangles.setdefault(side, {})
        rectangles = []
        for run in _DARK_RUN.finditer(modules):
            span = run.span()
            rectangle = known.get(span)
            if rectangle is None:
                row, x = divmod(span[0], side + 1)
                rectangle = known[span] = f"{x} {side - 1 - row} {span[1] - span[0]} 1 re"
            rectangles.append(rectangle)
        return side, "\n".join(rectangles)


def _encoded(addresses: Sequence[str]) -> Iterator[tuple[int, str]]:
    """Each address's QR code as `_QREncoder.runs()` gives it, in the addresses' order."""
    encoder = _QREncoder()
    for address in addresses:
        yield encoder.runs(address)


# The document ------------------------------------------------------------------------------


def _printable(face: LabelFace) -> LabelFace:
    """The face with every text passed through `plain_text` (no NUL in the PDF's title)."""
    texts = {
        name: plain_text(getattr(face, name))
        for name in (
            "product_name",
            "farm_name",
            "batch_code",
            "harvest_date",
            "tagline",
            "batch_caption",
            "harvest_caption",
            "ocop_caption",
        )
    }
    certification = plain_text(face.certification) if face.certification else None
    return replace(face, **texts, certification=certification)


def render_labels(face: LabelFace, labels: Sequence[tuple[str, str]], fmt: LabelFormat) -> bytes:
    """One PDF with a label per (address, serial), filling each sheet row by row, or one label
    per page on a roll. The addresses go into the QR codes exactly as given."""
    if not labels:
        raise ValueError("a print run needs at least one label")
    register_fonts()
    face = _printable(face)
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
    serial_style = layout.serial
    serial_x, serial_y = layout.text_x, layout.serial_baseline
    codes = _encoded([address for address, _ in labels])
    for index, ((_, serial), (side, runs)) in enumerate(zip(labels, codes, strict=True)):
        slot = index % fmt.labels_per_page
        if slot == 0 and index:
            page.showPage()
        x, y = origins[slot]
        page.saveState()
        page.translate(x, y)
        page.doForm(_FORM)
        module = layout.qr_size / (side + 2 * QUIET_ZONE_MODULES)
        left = layout.qr_x + QUIET_ZONE_MODULES * module
        bottom = layout.qr_y + QUIET_ZONE_MODULES * module
        # One path for the whole code, filled once: no hairline seams between rows on screen.
        page.addLiteral(
            f"q 0 g {module:.4f} 0 0 {module:.4f} {left:.3f} {bottom:.3f} cm\n{runs}\nf Q"
        )
        size = serial_style.size
        serial_width = stringWidth(serial, serial_style.font, size)
        if serial_width > layout.text_width:  # a serial longer than usual: smaller, not cut
            size *= layout.text_width / serial_width
        page.setFont(serial_style.font, size)
        page.drawString(serial_x, serial_y, serial)
        page.restoreState()
    page.showPage()
    page.save()
    return buffer.getvalue()
