"""Helpers shared by the chart and map tests: parse an SVG, render it to PNG to look at."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SVG = "{http://www.w3.org/2000/svg}"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
HOSTILE = '<script>alert("x")</script> & "quoted" \'name\''


def parse(svg) -> ET.Element:
    """The SVG as XML: it must be well-formed on its own (it is also served inline)."""
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element, tag: str) -> list[str]:
    return [node.findtext(f"{SVG}title") for node in root.iter(f"{SVG}{tag}")]


def save_png(svg, name: str, widths=(360, 960)) -> list[Path]:
    """Render the SVG at a phone's and a desktop's width, to be looked at."""
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert is not installed: `apt-get install librsvg2-bin`")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / f"{name}.svg"
    source.write_text(str(svg), "utf-8")
    written = []
    for width in widths:
        png = SCREENSHOTS / f"{name}-{width}.png"
        subprocess.run(
            ["rsvg-convert", "--width", str(width), "--background-color", "white", "-o", str(png)]
            + [str(source)],
            check=True,
        )
        written.append(png)
    return written
