"""Read the QR codes printed in a label PDF the way a phone reads them off the paper: each
page rasterised at 300 dpi with poppler's pdftoppm, each label cut out of the page where
its format puts it, and decoded by zbarimg. A camera frames one label; zbar's search of a
whole sheet misses most of 65 codes (and now and then one of 21) that each read at once
when cut out, and reading slot by slot also proves that every code sits on its own label."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from tests.support.requirements import missing
from traceability.label_formats import LabelFormat

_ZBAR = "{http://zbar.sourceforge.net/2008/barcode}"


def _require_tools() -> None:
    for tool, package in (("pdftoppm", "poppler-utils"), ("zbarimg", "zbar-tools")):
        if shutil.which(tool) is None:
            missing(tool, f"install it with `apt-get install {package}`")


def rasterise(pdf: bytes, workdir: Path, dpi: int = 300) -> list[Path]:
    _require_tools()
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "labels.pdf"
    source.write_bytes(pdf)
    # Grey PGM, not PNG: encoding a PNG of an A4 page takes pdftoppm seven times longer than
    # drawing it.
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", str(source), str(workdir / "page")], check=True
    )
    return sorted(workdir.glob("page*.pgm"))


def decode_images(images: list[Path]) -> dict[Path, list[str]]:
    """Every QR code zbarimg finds in each image (one zbarimg run for all of them)."""
    result = subprocess.run(
        ["zbarimg", "--xml", "-q", "-Sdisable", "-Sqrcode.enable", *map(str, images)],
        capture_output=True,
        check=False,
    )
    # Exit status 4 only says that some image had no code; the XML says which.
    assert result.returncode in (0, 4), result.stderr.decode(errors="replace")
    found: dict[Path, list[str]] = {image: [] for image in images}
    for source in ET.fromstring(result.stdout).iter(f"{_ZBAR}source"):
        found[Path(source.get("href"))] = [data.text or "" for data in source.iter(f"{_ZBAR}data")]
    return found


def decode_labels(
    pdf: bytes, fmt: LabelFormat, workdir: Path, dpi: int = 300
) -> list[list[list[str]]]:
    """Per page, what each label slot decodes to, in the order labels fill the page
    (an empty slot, or one whose code cannot be read, gives an empty list)."""
    per_mm = dpi / 25.4
    crops: list[list[Path]] = []
    for page_number, page in enumerate(rasterise(pdf, workdir, dpi), start=1):
        image = Image.open(page)
        slots = []
        for index in range(fmt.labels_per_page):
            left, top = fmt.label_origin_mm(index)
            box = (
                round(left * per_mm),
                round(top * per_mm),
                round((left + fmt.label_width_mm) * per_mm),
                round((top + fmt.label_height_mm) * per_mm),
            )
            crop = workdir / f"p{page_number:03d}-l{index:03d}.pgm"
            image.crop(box).save(crop)
            slots.append(crop)
        crops.append(slots)
    found = decode_images([crop for slots in crops for crop in slots])
    return [[found[crop] for crop in slots] for slots in crops]
