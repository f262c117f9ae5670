"""A choropleth of the 34 provinces (boundaries since 1 July 2025), drawn as SVG.

The outlines are data/province_map.json, made by province_map_build.py from Natural Earth
(public domain; see data/README.md). Values are grouped into a few classes with round
limits, coloured with ColorBrewer's YlGn sequential scheme (colour-blind safe); each
province's name and value are in its <title> for hover or tap, and the Chart's rows are
the table printed beside the map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from flask_babel import gettext
from markupsafe import escape

from app.charts import (
    COUNT,
    INK,
    MUTED,
    UNITS,
    Chart,
    chart_description,
    chart_id,
    fit_text,
    format_short,
    format_value,
    svg_document,
    svg_rect,
    svg_text,
)
from app.geo.provinces import all_provinces

#: ColorBrewer YlGn, light to dark, by number of classes (Cynthia Brewer, Apache 2.0).
PALETTES = {
    2: ("#f7fcb9", "#31a354"),
    3: ("#f7fcb9", "#addd8e", "#31a354"),
    4: ("#ffffcc", "#c2e699", "#78c679", "#238443"),
    5: ("#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837"),
}
NO_DATA = "#e4e7e5"
BORDER = "#4a5550"
LEGEND_FONT = 15
ARCHIPELAGO_FONT = 14


@dataclass(frozen=True)
class MapClass:
    """A legend entry: values from `low` (inclusive) up to `high` (exclusive; None: no cap);
    `smallest` and `largest` are the values the provinces in it really have."""

    low: float
    high: float | None
    colour: str
    smallest: float
    largest: float


@cache
def outlines() -> dict:
    """The projected outlines, read once: {"width", "height", "provinces": {code: path}}."""
    data = resources.files("app.geo").joinpath("data/province_map.json").read_text("utf-8")
    return json.loads(data)


def _round_limit(value: float, up: bool = True) -> float:
    """A class limit rounded to two significant figures, so the legend reads easily."""
    if value <= 0:
        return 0
    power = 10 ** (math.floor(math.log10(value)) - 1)
    return (math.ceil if up else math.floor)(value / power) * power


def _lows(present: list[float], count: int) -> list[float]:
    """Where the classes start. Few distinct values: one class each, so every value is told
    apart. Otherwise zero alone (no one selling is not "a few"), then the quantiles of the
    other values (a few provinces dwarf the others) at round limits."""
    distinct = sorted(set(present))
    if len(distinct) <= count:
        return distinct
    lows = [distinct[0]] if distinct[0] <= 0 else []
    positive = [v for v in present if v > 0]
    lows.append(_round_limit(positive[0], up=False))
    classes = count - len(lows) + 1
    for k in range(1, classes):
        limit = _round_limit(positive[len(positive) * k // classes])
        if lows[-1] < limit <= positive[-1]:
            lows.append(limit)
    return lows


def map_classes(values: list[float | None], count: int = 5) -> list[MapClass]:
    """At most `count` classes over the values (None: unknown, in no class); fewer when the
    values do not spread over as many."""
    present = sorted(v for v in values if v is not None)
    if not present:
        return []
    lows = _lows(present, count)
    if lows == [0]:
        palette = PALETTES[5][:1]  # nothing anywhere: the lightest colour, not a middle one
    else:
        palette = PALETTES.get(len(lows), ("#78c679",))
    classes = []
    for i, low in enumerate(lows):
        high = lows[i + 1] if i + 1 < len(lows) else None
        inside = [v for v in present if v >= low and (high is None or v < high)]
        classes.append(MapClass(low, high, palette[i], inside[0], inside[-1]))
    return classes


def _class_of(value: float | None, classes: list[MapClass]) -> MapClass | None:
    if value is None:
        return None
    for one in reversed(classes):
        if value >= one.low:
            return one
    return classes[0]


def class_label(one: MapClass, unit: str = COUNT) -> str:
    """What the class's provinces have: the value itself when they all have the same one
    (every province alike, or a single one with any), else the class's range."""
    if one.smallest == one.largest:
        return format_short(one.smallest, unit)
    if one.high is None:
        return gettext("%(low)s or more", low=format_short(one.low, unit))
    return f"{format_short(one.low, unit)} – {format_short(one.high, unit)}"


def province_map(
    title: str,
    values: Mapping[str, int | float | None],
    unit: str = COUNT,
    *,
    unknown_label: str | None = None,
) -> Chart:
    """The map coloured by `values` (by app.geo province code; a code left out or None is
    unknown, named in the legend by `unknown_label`, "No figures" by default)."""
    provinces = {p.code: p for p in all_provinces()}
    unknown = set(values) - set(provinces)
    if unknown or unit not in UNITS:
        raise ValueError(f"unknown province codes {sorted(unknown)} or unit {unit!r}")
    shapes = outlines()
    classes = map_classes(list(values.values()))

    body = [f'<g stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round">']
    for code, path in shapes["provinces"].items():
        value = values.get(code)
        fill = getattr(_class_of(value, classes), "colour", NO_DATA)
        tooltip = f"{provinces[code].display_name}: {format_value(value, unit)}"
        body.append(f'<path d="{path}" fill="{fill}" data-code="{code}" class="province">')
        body.append(f"<title>{escape(tooltip)}</title></path>")
    body.append("</g>")
    body += _archipelago_labels(shapes, provinces)
    if any(values.get(code) is None for code in provinces):
        unknown = unknown_label or gettext("No figures")
    else:
        unknown = None
    body += _legend(classes, unit, unknown)

    ident = chart_id("map", title, sorted(values.items()), unit)
    svg = svg_document(
        width=shapes["width"],
        height=shapes["height"],
        title=title,
        desc=chart_description(gettext("Map of the 34 provinces")),
        body=body,
        ident=ident,
    )
    rows = sorted(
        ((p.display_name, values.get(code)) for code, p in provinces.items()),
        key=lambda row: (-(row[1] if row[1] is not None else -math.inf), row[0]),
    )
    return Chart(
        svg,
        title,
        (gettext("Province or city"), title),
        tuple((name, format_value(value, unit)) for name, value in rows),
    )


def _archipelago_labels(shapes: dict, provinces: dict) -> list[str]:
    """A dashed box round each archipelago, named on two lines (name, then province) where
    the sea leaves room: under Hoàng Sa from its west edge, above Trường Sa up to its east
    edge (the other way round, they would touch the coast or run off the map)."""
    names = {
        "hoang_sa": gettext("Hoàng Sa archipelago"),
        "truong_sa": gettext("Trường Sa archipelago"),
    }
    pieces = []
    for key, name in names.items():
        archipelago = shapes["archipelagos"][key]
        x, y, w, h = archipelago["box"]
        lines = (name, f"({provinces[archipelago['code']].display_name})")
        pieces.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="{MUTED}" '
            'stroke-width="0.8" stroke-dasharray="3 2"/>'
        )
        step = ARCHIPELAGO_FONT + 2
        if key == "hoang_sa":
            first, left, anchor = y + h + step, x, "start"
        else:
            first, left, anchor = y - 6 - step, x + w, "end"
        for i, line in enumerate(lines):
            pieces.append(
                svg_text(
                    left, first + step * i, line, anchor=anchor, fill=MUTED, size=ARCHIPELAGO_FONT
                )
            )
    return pieces


def _legend(classes: list[MapClass], unit: str, unknown: str | None) -> list[str]:
    """Swatches in the sea north-east of the mainland, where the map leaves room; the last
    names the unknown values, if any."""
    entries = [(one.colour, class_label(one, unit)) for one in classes]
    if unknown:
        entries.append((NO_DATA, unknown))
    x, y, row = 236, 14, 24
    pieces = []
    for i, (colour, label) in enumerate(entries):
        top = y + row * i
        pieces.append(
            svg_rect(x, top, 18, 18, colour, extra=f' stroke="{BORDER}" stroke-width="0.5"')
        )
        room = outlines()["width"] - x - 26 - 4
        pieces.append(
            svg_text(
                x + 26, top + 14, fit_text(label, room, LEGEND_FONT), fill=INK, size=LEGEND_FONT
            )
        )
    return pieces
