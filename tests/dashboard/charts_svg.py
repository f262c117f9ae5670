"""Reading the charts back out of a page: each <svg>, its title, and what each bar or
province says in its tooltip (<title>), as numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def charts(html: str) -> dict[str, ET.Element]:
    """The page's SVGs by their own <title> (a chart has one; the header's logo, a
    decoration hidden from screen readers, has none)."""
    found = {}
    for match in re.finditer(r"<svg .*?</svg>", html, re.S):
        svg = ET.fromstring(match.group(0))
        title = svg.find(f"{SVG}title")
        if title is not None:
            found[title.text] = svg
    return found


def number(text: str) -> int | None:
    digits = re.sub(r"[^0-9]", "", text)
    return int(digits) if digits else None


def tooltips(svg: ET.Element, tag: str = "rect") -> dict[str, int | None]:
    """ "Label: value" of each shape's tooltip, as label -> value (None: no figures)."""
    values = {}
    for shape in svg.iter(f"{SVG}{tag}"):
        title = shape.find(f"{SVG}title")
        if title is not None:
            label, _sep, value = title.text.rpartition(": ")
            values[label] = number(value)
    return values


def map_fills(svg: ET.Element) -> dict[str, str]:
    return {path.get("data-code"): path.get("fill") for path in svg.iter(f"{SVG}path")}
