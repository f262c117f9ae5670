"""Charts drawn on the server as SVG: no JavaScript, no inline style (the CSP forbids both).

Each function returns a Chart: the <svg> (labels escaped, role="img" with <title> and <desc>)
and the same numbers as table rows, which templates/macros/charts.html prints under the
chart for screen readers and copying. The drawing is phone-first: a 360-unit-wide viewBox
with 12-unit text reads at 11 px or more on a 360-px screen; static/css/charts.css caps the
width on a desktop. Text widths are estimated, so long labels are cut with "…" (the full
label stays in the bar's <title> and in the table).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, format_decimal, gettext
from markupsafe import Markup, escape

from app.geo import all_provinces
from app.i18n import format_vnd

WIDTH = 360
FONT_SIZE = 12
FONT_FAMILY = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Arial, sans-serif"
INK = "#1d2420"
MUTED = "#5b665f"
GRID = "#d5ddd7"
#: Okabe-Ito blue and vermillion: told apart with every kind of colour vision, and each
#: at least 3:1 against white (WCAG 1.4.11 for graphics).
SERIES_COLOURS = ("#0072B2", "#D55E00")
#: Average advance of a sans-serif glyph, in font sizes: enough to keep labels apart.
_GLYPH_WIDTH = 0.56

COUNT = "count"
VND = "vnd"
UNITS = (COUNT, VND)


@dataclass(frozen=True)
class Series:
    """One line of a monthly chart: its name ("2025") and a value per month (None: no data)."""

    name: str
    values: Sequence[int | float | None]


@dataclass(frozen=True)
class Chart:
    """An SVG and the table of its numbers (cells already formatted for the locale)."""

    svg: Markup
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: A line printed under the table (what its "—" means, say); empty: none.
    note: str = ""


# -- numbers ----------------------------------------------------------------------------


def format_value(value: int | float | None, unit: str = COUNT) -> str:
    """A value in full, as the table shows it: "1.234.000 ₫", "1.234", "—" for no data."""
    if value is None:
        return "—"
    if unit == VND:
        return format_vnd(round(value))
    return format_decimal(value, format="#,##0.##")


def format_short(value: int | float | None, unit: str = COUNT) -> str:
    """A value abbreviated for an axis or a bar's end: "1,2 tỷ ₫", "15 nghìn", "950"."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude >= 1e9:
        text = gettext("%(number)s B", number=_one_decimal(value / 1e9))
    elif magnitude >= 1e6:
        text = gettext("%(number)s M", number=_one_decimal(value / 1e6))
    elif magnitude >= 1e4:
        text = gettext("%(number)s K", number=_one_decimal(value / 1e3))
    else:
        text = format_decimal(value, format="#,##0.#")
    return gettext("%(amount)s ₫", amount=text) if unit == VND else text


def _one_decimal(number: float) -> str:
    return format_decimal(number, format="#,##0.#" if abs(number) < 100 else "#,##0")


def nice_ticks(top: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """Round axis ticks from 0 to at least `top`: 1, 2, 2.5 or 5 times a power of ten; whole
    numbers only when `whole` (a count has no half order)."""
    if top <= 0:
        return [0, 1]
    rough = top / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    if whole and not float(step).is_integer():
        step = math.ceil(step)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return [int(t) if float(t).is_integer() else t for t in ticks]


# -- SVG pieces -------------------------------------------------------------------------


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * _GLYPH_WIDTH


def fit_text(text: str, width: float, size: float = FONT_SIZE) -> str:
    """The text, cut with "…" to fit `width` units."""
    room = max(1, int(width / (size * _GLYPH_WIDTH)))
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def chart_id(*parts) -> str:
    """A stable id for the <title>/<desc> references (same data, same page bytes)."""
    return "chart-" + hashlib.blake2s(repr(parts).encode(), digest_size=5).hexdigest()


def svg_document(
    *, width: float, height: float, title: str, desc: str, body: list[str], ident: str
) -> Markup:
    """The <svg> element around `body` (pieces already escaped)."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'font-family="{font}" font-size="{size}" fill="{ink}" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{body}</svg>"
    ).format(
        w=_num(width),
        h=_num(height),
        font=FONT_FAMILY,
        size=FONT_SIZE,
        ink=INK,
        id=ident,
        title=title,
        desc=desc,
        body=Markup("".join(body)),
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg_text(x, y, content, *, anchor="start", fill=INK, size=None, weight=None) -> str:
    extra = f' font-size="{size}"' if size else ""
    extra += f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(content)}</text>"
    )


def svg_rect(x, y, w, h, fill, tooltip=None, extra="") -> str:
    tip = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" '
        f'height="{_num(max(h, 0))}" fill="{fill}"{extra}>{tip}</rect>'
    )


def chart_description(kind: str) -> str:
    return gettext("%(kind)s. The numbers are in the table after the chart.", kind=kind)


# -- monthly series ---------------------------------------------------------------------


def monthly_chart(
    title: str, months: Sequence[date], series: Sequence[Series], unit: str = COUNT
) -> Chart:
    """Bars per month for one series, or grouped bars for two (this year beside last)."""
    if not 1 <= len(series) <= len(SERIES_COLOURS):
        raise ValueError("a monthly chart shows one or two series")
    if unit not in UNITS or any(len(s.values) != len(months) for s in series):
        raise ValueError("each series needs one value per month, and a known unit")
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max(values, default=0), whole=unit == COUNT)
    tick_labels = [format_short(t, unit) for t in ticks]

    legend_rows = len(series)
    top = 8 + 18 * legend_rows + 10
    left = 6 + max(text_width(label) for label in tick_labels) + 6
    right, plot_height = 8, 180
    plot_width = WIDTH - left - right
    bottom = top + plot_height
    height = bottom + 36

    body = []
    for index, one in enumerate(series):
        y = 8 + 18 * index
        body.append(svg_rect(6, y + 2, 12, 12, SERIES_COLOURS[index]))
        body.append(svg_text(24, y + 12, fit_text(one.name, WIDTH - 30)))
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = bottom - plot_height * tick / ticks[-1]
        body.append(
            f'<line x1="{_num(left)}" x2="{_num(WIDTH - right)}" y1="{_num(y)}" '
            f'y2="{_num(y)}" stroke="{GRID if tick else MUTED}" stroke-width="1"/>'
        )
        body.append(svg_text(left - 6, y + 4, label, anchor="end", fill=MUTED))

    slot = plot_width / max(len(months), 1)
    bar = slot * 0.8 / len(series)
    # Month numbers ("1".."12") are thinned out when the months are too narrow for them.
    label_every = max(1, math.ceil((text_width("12") + 6) / slot))
    for i, month in enumerate(months):
        x0 = left + slot * i + slot * 0.1
        full_month = format_date(month, "MM/yyyy")
        for index, one in enumerate(series):
            value = one.values[i]
            if value is None:
                continue
            h = plot_height * value / ticks[-1]
            tooltip = f"{one.name}, {full_month}: {format_value(value, unit)}"
            body.append(
                svg_rect(x0 + bar * index, bottom - h, bar, h, SERIES_COLOURS[index], tooltip)
            )
        centre = left + slot * (i + 0.5)
        if i % label_every == 0:
            body.append(svg_text(centre, bottom + 15, format_date(month, "M"), anchor="middle"))
    body += _year_labels(months, left, slot, bottom)

    ident = chart_id("monthly", title, months, series, unit)
    svg = svg_document(
        width=WIDTH,
        height=height,
        title=title,
        desc=chart_description(gettext("Bar chart by month")),
        body=body,
        ident=ident,
    )
    rows = tuple(
        (format_date(month, "MM/yyyy"), *(format_value(s.values[i], unit) for s in series))
        for i, month in enumerate(months)
    )
    return Chart(svg, title, (gettext("Month (MM/YYYY)"), *(s.name for s in series)), rows)


def _year_labels(months: Sequence[date], left: float, slot: float, bottom: float) -> list[str]:
    """Each year once, under its months, with a divider where the year changes. A year with
    too few months for its label (a December before eleven months of the next) is put against
    the divider on its own side, so two years never run together."""
    runs: list[list[int]] = []
    for i, month in enumerate(months):
        if runs and months[runs[-1][0]].year == month.year:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    pieces = []
    for number, (first, last) in enumerate(runs):
        start, end = left + slot * first, left + slot * (last + 1)
        label = format_date(months[first], "yyyy")
        if number:
            pieces.append(
                f'<line x1="{_num(start)}" x2="{_num(start)}" y1="{_num(bottom)}" '
                f'y2="{_num(bottom + 34)}" stroke="{MUTED}" stroke-width="1"/>'
            )
        if end - start >= text_width(label) + 8 or len(runs) == 1:
            x, anchor = (start + end) / 2, "middle"
        elif number == 0:
            x, anchor = end - 4, "end"
        else:
            x, anchor = start + 4, "start"
        pieces.append(svg_text(x, bottom + 30, label, anchor=anchor, fill=MUTED))
    return pieces


# -- horizontal bars --------------------------------------------------------------------


def bar_chart(
    title: str,
    items: Sequence[tuple[str, int | float | None]],
    unit: str = COUNT,
    *,
    label_heading: str | None = None,
    value_heading: str | None = None,
    colour: str = SERIES_COLOURS[0],
) -> Chart:
    """One horizontal bar per (label, value), in the order given; labels may be long."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    top_value = max((v for _, v in items if v is not None), default=0)
    scale_top = top_value or 1
    short_values = [format_short(v, unit) for _, v in items]
    value_room = max((text_width(s) for s in short_values), default=0) + 6
    label_room = min(max((text_width(label) for label, _ in items), default=0), WIDTH * 0.45)
    left = 6 + label_room + 6
    bar_room = WIDTH - left - value_room - 6
    row, bar = 22, 14

    body = [
        f'<line x1="{_num(left)}" x2="{_num(left)}" y1="4" y2="{_num(8 + row * len(items))}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    for i, ((label, value), short) in enumerate(zip(items, short_values, strict=True)):
        y = 8 + row * i
        body.append(svg_text(left - 6, y + 11, fit_text(label, label_room), anchor="end"))
        width = 0 if value is None else bar_room * value / scale_top
        tooltip = f"{label}: {format_value(value, unit)}"
        body.append(svg_rect(left, y, width, bar, colour, tooltip))
        body.append(svg_text(left + width + 4, y + 11, short, fill=MUTED))

    ident = chart_id("bars", title, items, unit)
    svg = svg_document(
        width=WIDTH,
        height=8 + row * len(items) + 6,
        title=title,
        desc=chart_description(gettext("Bar chart")),
        body=body,
        ident=ident,
    )
    columns = (label_heading or gettext("Item"), value_heading or title)
    rows = tuple((label, format_value(value, unit)) for label, value in items)
    return Chart(svg, title, columns, rows)


def province_chart(
    title: str, values: Mapping[str, int | float | None], unit: str = COUNT
) -> Chart:
    """The 34 provinces side by side, largest first; `values` by province code (app.geo),
    a code left out shows as no data."""
    provinces = {p.code: p for p in all_provinces()}
    unknown = set(values) - set(provinces)
    if unknown:
        raise ValueError(f"unknown province codes: {sorted(unknown)}")
    items = sorted(
        ((p.display_name, values.get(code)) for code, p in provinces.items()),
        key=lambda item: (-(item[1] if item[1] is not None else -1), item[0]),
    )
    return bar_chart(title, items, unit, label_heading=gettext("Province or city"))


def ocop_chart(title: str, counts: Mapping[int, int]) -> Chart:
    """OCOP products by stars: one bar each for 3, 4 and 5 stars."""
    items = [(gettext("%(n)d stars", n=stars), counts.get(stars, 0)) for stars in (3, 4, 5)]
    return bar_chart(title, items, COUNT, label_heading=gettext("OCOP stars"))
