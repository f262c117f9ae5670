"""Printable QR labels: every code scans to its own address, text stays inside its label.

No app and no database: traceability.label_pdf is pure. The checks read the PDF back with
poppler-utils (pdftoppm, pdftotext, pdfimages, pdfinfo, pdffonts) and zbar-tools (zbarimg).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.pdf_qr import decode_labels
from traceability.label_formats import A4_HEIGHT_MM, A4_WIDTH_MM, FORMATS, LabelFormat
from traceability.label_pdf import LabelFace, render_labels

FACE = LabelFace(
    product_name="Vải thiều Thanh Hà loại 1 – hộp quà 2 kg",
    farm_name="HTX Nông nghiệp Thanh Hà Xanh",
    batch_code="VT2606-A",
    harvest_date="26/06/2026",
    ocop_stars=4,
    certification="VietGAP · 02-2025/VG",
    tagline="Quét để xem nguồn gốc",
)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
POINTS_PER_MM = 72 / 25.4


def tool(name: str) -> str:
    """The path of a poppler-utils or zbar-tools command. Missing, the test fails rather than
    skips: these checks are what proves a label scans, and CI installs both packages."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: `apt-get install poppler-utils zbar-tools`", pytrace=False
        )
    return path


def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"
    return result.stdout


def make_labels(count: int, seed: int = 2606) -> list[tuple[str, str]]:
    """Unique (address, serial) pairs; every other address a GS1 Digital Link, which needs a
    bigger QR version (33 instead of 25 modules a side) and so smaller modules."""
    rng = random.Random(seed)
    labels = []
    for index in range(count):
        serial = "".join(rng.choice(CROCKFORD) for _ in range(10))
        if index % 2:
            address = f"HTTPS://NONGSAN.TEST/01/08931234567893/10/VT2606-A/21/{serial}"
        else:
            address = f"HTTPS://NONGSAN.TEST/T/{serial}"
        labels.append((address, serial))
    assert len({address for address, _ in labels}) == count
    return labels


def write_pdf(tmp_path: Path, labels: list[tuple[str, str]], fmt: LabelFormat, face=FACE) -> Path:
    path = tmp_path / f"{fmt.id}.pdf"
    path.write_bytes(render_labels(face, labels, fmt))
    return path


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", run(tool("pdfinfo"), str(pdf)), re.M).group(1))


@pytest.mark.parametrize("format_id", sorted(FORMATS))
def test_every_code_reads_back_as_its_own_address(format_id, tmp_path):
    # Given a full sheet and one label more (a second page), or three roll labels
    fmt = FORMATS[format_id]
    count = fmt.labels_per_page + 1 if fmt.is_sheet else 3
    labels = make_labels(count)
    pdf = write_pdf(tmp_path, labels, fmt)

    # When every page is printed at 300 dpi and each label read back
    pages = decode_labels(pdf.read_bytes(), fmt, tmp_path / "pages")

    # Then each label's code reads as that label's address, page after page
    per_page = fmt.labels_per_page
    assert len(pages) == -(-count // per_page)
    for number, slots in enumerate(pages):
        on_page = labels[number * per_page : (number + 1) * per_page]
        expected = [[address] for address, _ in on_page] + [[]] * (per_page - len(on_page))
        assert slots == expected, f"page {number + 1} of {format_id}"


def test_vietnamese_text_prints_in_the_embedded_font(tmp_path):
    pdf = write_pdf(tmp_path, make_labels(2), FORMATS["a4-24"])

    text = run(tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-")
    fonts = run(tool("pdffonts"), str(pdf))

    assert "Vải thiều Thanh Hà" in text
    assert "Quét để xem nguồn gốc" in text
    assert "OCOP ★★★★" in text
    assert "Thu hoạch: 26/06/2026" in text and "VietGAP · 02-2025/VG" in text
    header, _, *rows = fonts.splitlines()
    emb = header.index("emb")
    dejavu = {row.split()[0].split("+")[-1]: row[emb : emb + 3] for row in rows if "DejaVu" in row}
    assert dejavu == {"DejaVuSans": "yes", "DejaVuSans-Bold": "yes"}, fonts


def test_each_label_shows_its_serial_and_the_tiny_label_keeps_the_essentials(tmp_path):
    labels = make_labels(3)
    pdf = write_pdf(tmp_path, labels, FORMATS["a4-65"])

    text = run(tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-")

    assert all(serial in text for _, serial in labels)
    assert "Lô: VT2606-A" in text and "Vải thiều Thanh" in text
    assert "Quét để xem" in text and "nguồn gốc" in text


def test_the_codes_are_vector_paths_not_images(tmp_path):
    pdf = write_pdf(tmp_path, make_labels(5), FORMATS["a4-65"])

    listing = run(tool("pdfimages"), "-list", str(pdf)).splitlines()

    assert len(listing) == 2, listing  # the two header lines, no image


@pytest.mark.parametrize(
    ("format_id", "count", "pages"),
    [("a4-65", 65, 1), ("a4-65", 66, 2), ("a4-24", 49, 3), ("thermal-40x30", 3, 3)],
)
def test_labels_fill_pages_in_turn(format_id, count, pages, tmp_path):
    pdf = write_pdf(tmp_path, make_labels(count), FORMATS[format_id])

    assert page_count(pdf) == pages


def test_a_roll_page_is_the_size_of_one_label_and_the_title_names_the_batch(tmp_path):
    pdf = write_pdf(tmp_path, make_labels(1), FORMATS["thermal-50x30"])

    info = run(tool("pdfinfo"), str(pdf))

    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width / POINTS_PER_MM, 1), round(height / POINTS_PER_MM, 1)) == (50.0, 30.0)
    title = re.search(r"^Title:\s+(.*)$", info, re.M).group(1)
    assert title == "VT2606-A · Vải thiều Thanh Hà loại 1 – hộp quà 2 kg"


@pytest.mark.parametrize("format_id", sorted(FORMATS))
def test_long_text_stays_inside_its_label(format_id, tmp_path):
    # Given names far longer than any label holds
    fmt = FORMATS[format_id]
    face = LabelFace(
        product_name="Bưởi da xanh Bến Tre loại đặc biệt " * 4,
        farm_name="Hợp tác xã Nông nghiệp Dịch vụ Thương mại Chợ Lách " * 3,
        batch_code="BDX-2026-06-26-" + "X" * 40,
        harvest_date="26/06/2026",
        ocop_stars=5,
        certification="VietGAP · " + "0123456789/VG-" * 5,
        tagline="Quét mã để xem nguồn gốc, nhật ký canh tác và chứng nhận",
    )
    labels = [(address, serial + "EXTRA-LONG-SERIAL") for address, serial in make_labels(2)]
    pdf = write_pdf(tmp_path, labels, fmt, face)

    # When the position of every word is read back
    html = run(tool("pdftotext"), "-bbox", str(pdf), "-")
    words = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html
    )

    # Then every word lies inside the first or second label, and the names were shortened
    assert words
    slots = []
    for slot in (0, 1) if fmt.is_sheet else (0,):
        left, top = fmt.label_origin_mm(slot)
        slots.append(
            (
                left * POINTS_PER_MM,
                top * POINTS_PER_MM,
                (left + fmt.label_width_mm) * POINTS_PER_MM,
                (top + fmt.label_height_mm) * POINTS_PER_MM,
            )
        )
    for *box, word in words:
        x_min, y_min, x_max, y_max = map(float, box)
        assert any(
            x_min >= left - 0.01
            and x_max <= right + 0.01
            and y_min >= top - 0.5
            and y_max <= bottom + 0.5
            for left, top, right, bottom in slots
        ), f"{word!r} at {box} runs over its label on {format_id}"
    assert "…" in "".join(word for *_, word in words)


def test_every_sheet_fits_on_a4_without_overlapping_labels():
    for fmt in FORMATS.values():
        left, top, right, bottom = fmt.used_area_mm
        assert left >= 0 and top >= 0, fmt.id
        assert right <= fmt.page_width_mm and bottom <= fmt.page_height_mm, fmt.id
        assert fmt.column_pitch_mm >= fmt.label_width_mm or fmt.columns == 1, fmt.id
        assert fmt.row_pitch_mm >= fmt.label_height_mm or fmt.rows == 1, fmt.id
        if fmt.is_sheet:
            assert (fmt.page_width_mm, fmt.page_height_mm) == (A4_WIDTH_MM, A4_HEIGHT_MM)
    assert FORMATS["a4-65"].used_area_mm == pytest.approx((4.7, 10.7, 205.2, 286.3))
    assert [FORMATS[i].labels_per_page for i in ("a4-65", "a4-24", "a4-21")] == [65, 24, 21]


def test_an_empty_print_run_is_refused():
    with pytest.raises(ValueError, match="at least one label"):
        render_labels(FACE, [], FORMATS["a4-65"])
