"""Server-rendered SVG charts (app/charts.py) and their tables (macros/charts.html)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import render_template_string

from app.charts import (
    VND,
    Series,
    bar_chart,
    format_short,
    monthly_chart,
    nice_ticks,
    ocop_chart,
    province_chart,
    text_width,
)
from app.geo import all_provinces
from tests.app.chart_rendering import HOSTILE, SVG, parse, save_png, texts, tooltips

MONTHS = [date(2025, m, 1) for m in range(1, 13)]
THIS_YEAR = [120e6, 95e6, 1.2e9, 300e6, 0, 410e6, 520e6, 610e6, None, 700e6, 880e6, 990e6]
LAST_YEAR = [80e6, 60e6, 400e6, 250e6, 90e6, 300e6, 330e6, 350e6, 420e6, 500e6, 640e6, 760e6]


@pytest.fixture
def vietnamese(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        yield


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _accessible(root, title):
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert "bảng" in root.find(f"{SVG}desc").text  # "the numbers are in the table"
    assert root.get("viewBox").startswith("0 0 ")


def _no_script_or_inline_style(root):
    # The Content-Security-Policy forbids inline scripts and styles: nothing would run.
    for node in root.iter():
        assert not node.tag.endswith(("script", "style", "foreignObject"))
        assert "style" not in node.attrib
        assert not any(name.startswith("on") for name in node.attrib)


def test_abbreviated_numbers_read_the_users_way(vietnamese):
    assert format_short(1_234_000_000, VND) == "1,2 tỷ ₫"
    assert format_short(350_000_000, VND) == "350 tr ₫"
    assert format_short(108_983) == "109 nghìn"
    assert format_short(2_500) == "2.500"


def test_abbreviated_numbers_in_english(english):
    assert format_short(1_234_000_000, VND) == "1.2 B ₫"
    assert format_short(15_000) == "15 K"


def test_axis_ticks_are_round_and_cover_the_largest_value():
    assert nice_ticks(1_200_000_000) == [0, 500_000_000, 1_000_000_000, 1_500_000_000]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0, 1]


def test_monthly_chart_this_year_beside_last(vietnamese):
    chart = monthly_chart(
        "Doanh thu", MONTHS, [Series("2025", THIS_YEAR), Series("2024", LAST_YEAR)], VND
    )
    root = parse(chart.svg)
    _accessible(root, "Doanh thu")
    _no_script_or_inline_style(root)
    bars = [tip for tip in tooltips(root, "rect") if tip]
    # Eleven months with a figure this year (September has none), twelve last year.
    assert len([b for b in bars if b.startswith("2025,")]) == 11
    assert len([b for b in bars if b.startswith("2024,")]) == 12
    assert "2025, 03/2025: 1.200.000.000\xa0₫" in bars
    labels = texts(root)
    assert labels[:2] == ["2025", "2024"]  # the legend
    assert "1,5 tỷ ₫" in labels  # the axis' top tick
    assert [str(m) for m in range(1, 13)] == [t for t in labels if t.isdigit() and len(t) < 3]
    assert chart.columns == ("Tháng (MM/YYYY)", "2025", "2024")
    assert chart.rows[8] == ("09/2025", "—", "420.000.000\xa0₫")
    assert len(chart.rows) == 12


def test_a_bar_is_as_tall_as_its_value(vietnamese):
    chart = monthly_chart("Đơn hàng", MONTHS[:3], [Series("Đơn", [10, 20, 40])])
    heights = [float(r.get("height")) for r in parse(chart.svg).iter(f"{SVG}rect")][1:]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert heights[2] == pytest.approx(4 * heights[0])


def test_two_years_of_months_thin_out_the_month_numbers(vietnamese):
    months = [date(2024 + (m // 12), m % 12 + 1, 1) for m in range(24)]
    chart = monthly_chart("Đơn hàng", months, [Series("Đơn", list(range(24)))])
    labels = texts(parse(chart.svg))
    assert "2024" in labels and "2025" in labels
    assert len([t for t in labels if t.isdigit() and len(t) < 3]) < 24


def _year_extents(root) -> list[tuple[float, float, str]]:
    """Where each year label is drawn along the axis: (left, right, text), left to right."""
    found = []
    for node in root.iter(f"{SVG}text"):
        text = node.text or ""
        if len(text) == 4 and text.isdigit():
            x, width = float(node.get("x")), text_width(text)
            shift = {"start": 0, "middle": width / 2, "end": width}[node.get("text-anchor")]
            found.append((x - shift, x - shift + width, text))
    return sorted(found)


@pytest.mark.parametrize(
    "first, count",
    [
        (date(2025, 12, 1), 12),
        (date(2025, 11, 1), 3),
        (date(2026, 1, 1), 12),
        (date(2024, 1, 1), 24),
    ],
)
def test_the_years_under_the_months_never_run_together(vietnamese, first, count):
    """December 2025 then January 2026 on a phone read "20252026" when each year was centred
    under its first month: each year is now apart from the next, inside the chart."""
    months = [
        date(first.year + (first.month - 1 + m) // 12, (first.month - 1 + m) % 12 + 1, 1)
        for m in range(count)
    ]
    chart = monthly_chart("Đơn hàng", months, [Series("Đơn", [1] * count)])
    years = _year_extents(parse(chart.svg))
    assert [text for *_, text in years] == sorted({f"{m.year}" for m in months})
    for (_, right, _), (left, _, _) in zip(years, years[1:], strict=False):
        assert left - right >= 8, years
    assert all(0 <= left and right <= 360 for left, right, _ in years), years


def test_a_count_s_axis_has_whole_numbers(vietnamese):
    """Two orders at most: the axis says 0, 1, 2, not 0,5 or 1,5 orders."""
    assert nice_ticks(2, whole=True) == [0, 1, 2]
    assert nice_ticks(2) == [0, 0.5, 1, 1.5, 2]
    chart = monthly_chart("Đơn hàng", MONTHS[:3], [Series("Đơn", [0, 2, 1])])
    assert not [t for t in texts(parse(chart.svg)) if "," in t]


def test_a_monthly_chart_refuses_mismatched_series(vietnamese):
    with pytest.raises(ValueError):
        monthly_chart("x", MONTHS, [Series("a", [1, 2])])
    with pytest.raises(ValueError):
        monthly_chart("x", MONTHS, [Series(str(n), THIS_YEAR) for n in range(3)])


def test_labels_from_user_data_are_escaped(vietnamese):
    charts = [
        monthly_chart(HOSTILE, MONTHS[:2], [Series(HOSTILE, [1, 2])]),
        bar_chart(HOSTILE, [(HOSTILE, 5), ("Cam Vinh", 3)]),
    ]
    for chart in charts:
        assert "<script>" not in str(chart.svg)
        root = parse(chart.svg)  # well-formed despite the quotes and angle brackets
        _no_script_or_inline_style(root)
        assert root.find(f"{SVG}title").text == HOSTILE
        assert any(tip and tip.startswith(HOSTILE) for tip in tooltips(root, "rect"))
    page = render_template_string(
        '{% from "macros/charts.html" import chart_figure %}{{ chart_figure(chart) }}',
        chart=charts[1],
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_province_chart_shows_the_34_provinces_largest_first(vietnamese):
    values = {p.code: (int(p.code) * 1000 if p.code != "79" else None) for p in all_provinces()}
    chart = province_chart("Hộ bán hàng", values)
    root = parse(chart.svg)
    _accessible(root, "Hộ bán hàng")
    bars = [tip for tip in tooltips(root, "rect") if tip]
    assert len(bars) == 34
    assert bars[0] == "Cà Mau: 96.000"
    assert bars[-1] == "TP. Hồ Chí Minh: —"  # no figure: last, and said so
    assert chart.rows[0] == ("Cà Mau", "96.000")
    assert chart.columns == ("Tỉnh hoặc thành phố", "Hộ bán hàng")
    # Every label fits in the space left of the bars: none is cut at this width.
    assert "TP. Hồ Chí Minh" in texts(root)


def test_province_chart_refuses_an_unknown_code(vietnamese):
    with pytest.raises(ValueError):
        province_chart("x", {"99": 1})


def test_long_labels_are_cut_but_kept_whole_in_the_tooltip_and_table(vietnamese):
    long_name = "Hợp tác xã nông nghiệp dịch vụ tổng hợp xã Thanh Hà, huyện Thanh Hà"
    chart = bar_chart("Sản phẩm", [(long_name, 12), ("Vải", 3)])
    root = parse(chart.svg)
    shown = texts(root)[0]
    assert shown.endswith("…") and long_name.startswith(shown[:-1])
    assert tooltips(root, "rect")[0] == f"{long_name}: 12"
    assert chart.rows[0] == (long_name, "12")


def test_ocop_chart_counts_products_by_stars(vietnamese):
    chart = ocop_chart("Sản phẩm OCOP", {3: 41, 4: 12, 5: 2})
    root = parse(chart.svg)
    assert [t for t in tooltips(root, "rect") if t] == ["3 sao: 41", "4 sao: 12", "5 sao: 2"]
    assert chart.rows == (("3 sao", "41"), ("4 sao", "12"), ("5 sao", "2"))


def test_the_macro_prints_the_chart_then_its_table(vietnamese):
    chart = ocop_chart("Sản phẩm OCOP", {3: 1_500, 4: 12})
    page = render_template_string(
        '{% from "macros/charts.html" import chart_figure, chart_styles %}'
        "{{ chart_styles() }}{{ chart_figure(chart) }}",
        chart=chart,
    )
    assert page.index("<svg") < page.index("<table")
    assert "/static/css/charts.css" in page
    assert "<caption>Sản phẩm OCOP</caption>" in page
    assert '<th scope="row">3 sao</th><td class="num">1.500</td>' in page
    assert '<th scope="row">5 sao</th><td class="num">0</td>' in page


def test_charts_rendered_for_a_phone_and_a_desktop(vietnamese):
    """Writes test-output/screenshots/chart-*.png, to be looked at."""
    values = {p.code: (len(p.name) * 7919 % 120_000) for p in all_provinces()}
    charts = {
        "chart-monthly": monthly_chart(
            "Doanh thu theo tháng",
            MONTHS,
            [Series("Năm 2025", THIS_YEAR), Series("Năm 2024", LAST_YEAR)],
            VND,
        ),
        "chart-provinces": province_chart("Hộ bán hàng theo tỉnh", values),
        "chart-ocop": ocop_chart("Sản phẩm OCOP theo số sao", {3: 1_250, 4: 310, 5: 24}),
    }
    for name, chart in charts.items():
        for png in save_png(chart.svg, name):
            assert png.stat().st_size > 1_000
