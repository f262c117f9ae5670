"""The choropleth of the 34 provinces (app/geo/province_map.py) and its shipped outlines."""

from __future__ import annotations

from importlib import resources

import pytest

from app.charts import VND
from app.geo import all_provinces
from app.geo.province_map import (
    NO_DATA,
    PALETTES,
    class_label,
    map_classes,
    outlines,
    province_map,
)
from tests.app.chart_rendering import SVG, parse, save_png, texts
from tests.dashboard.charts_svg import map_fills

CODES = [p.code for p in all_provinces()]


@pytest.fixture
def vietnamese(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        yield


def _shapes(root):
    return {path.get("data-code"): path for path in root.iter(f"{SVG}path")}


def _households():
    # Skewed like the real figures: two big cities, a long tail.
    return {code: (int(code) ** 2 * 13) % 9_000 + 150 for code in CODES} | {
        "01": 108_983,
        "79": 95_400,
    }


def test_the_outline_file_is_small_and_names_its_source_and_licence():
    data = resources.files("app.geo").joinpath("data/province_map.json")
    assert len(data.read_bytes()) < 150_000
    assert "Natural Earth" in outlines()["source"]["name"]
    assert "Public domain" in outlines()["source"]["licence"]
    readme = resources.files("app.geo").joinpath("data/README.md").read_text("utf-8")
    assert "Natural Earth" in readme and "public domain" in readme


def test_every_province_has_exactly_one_shape(vietnamese):
    root = parse(province_map("Hộ bán hàng", _households()).svg)
    paths = [p.get("data-code") for p in root.iter(f"{SVG}path")]
    assert sorted(paths) == sorted(CODES)
    assert len(paths) == 34
    for path in root.iter(f"{SVG}path"):
        assert path.get("d").startswith("M") and path.get("d").endswith("Z")


def test_hoang_sa_and_truong_sa_are_drawn_with_their_provinces(vietnamese):
    root = parse(province_map("Hộ bán hàng", _households()).svg)
    labels = texts(root)
    hoang_sa, truong_sa = labels.index("Quần đảo Hoàng Sa"), labels.index("Quần đảo Trường Sa")
    assert labels[hoang_sa + 1] == "(TP. Đà Nẵng)"
    assert labels[truong_sa + 1] == "(Khánh Hòa)"
    # The islets are part of Đà Nẵng's and Khánh Hòa's shapes, far out in the East Sea.
    mainland_east = 0
    shapes = _shapes(root)
    for code, path in shapes.items():
        if code not in ("48", "56"):
            mainland_east = max(mainland_east, _max_x(path.get("d")))
    assert _max_x(shapes["48"].get("d")) > mainland_east + 40
    assert _max_x(shapes["56"].get("d")) > mainland_east + 80


def _max_x(d: str) -> float:
    return max(float(point.split()[0]) for point in d.replace("M", "L").split("L")[1:] if point)


def test_each_province_is_coloured_by_its_class_and_named_in_its_title(vietnamese):
    values = _households() | {"04": None}
    root = parse(province_map("Hộ bán hàng", values).svg)
    shapes = _shapes(root)
    classes = map_classes(list(values.values()))
    assert len(classes) == 5
    darkest = PALETTES[5][-1]
    assert shapes["01"].get("fill") == darkest
    assert shapes["79"].get("fill") == darkest
    assert shapes["04"].get("fill") == NO_DATA
    assert shapes["01"].findtext(f"{SVG}title") == "TP. Hà Nội: 108.983"
    assert shapes["04"].findtext(f"{SVG}title") == "Cao Bằng: —"
    for code, path in shapes.items():
        if values[code] is not None:
            expected = [c for c in classes if c.low <= values[code]][-1].colour
            assert path.get("fill") == expected


def test_the_legend_lists_the_classes_in_order(vietnamese):
    values = _households() | {"04": None}
    chart = province_map("Hộ bán hàng", values)
    root = parse(chart.svg)
    classes = map_classes(list(values.values()))
    legend = [class_label(one) for one in classes] + ["Chưa có số liệu"]
    shown = texts(root)
    assert [t for t in shown if t in legend] == legend
    assert legend[-2].startswith("Từ ") and legend[-2].endswith("trở lên")
    # Limits are round numbers, rising from at most the smallest value.
    lows = [one.low for one in classes]
    assert lows[0] <= min(v for v in values.values() if v is not None)
    assert lows == sorted(lows) and len(set(lows)) == len(lows)
    assert all(len(str(int(low)).rstrip("0")) <= 2 for low in lows)
    swatches = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("width") == "18"]
    assert swatches == [*PALETTES[5], NO_DATA]


def test_few_distinct_values_give_fewer_classes():
    assert len(map_classes([0, 0, 0, 5])) <= 2
    assert map_classes([None, None]) == []
    one_value = map_classes([7, 7, 7])
    assert len(one_value) == 1 and one_value[0].high is None


def _legend(chart) -> list[str]:
    """The legend's labels: the texts after the archipelagos' names."""
    return texts(parse(chart.svg))[4:]


def test_where_every_province_has_the_same_value_the_legend_says_it(vietnamese):
    """Not "0 ₫ or more": every province has 0 ₫ (lightest colour), or all have 12."""
    nothing = province_map("Doanh thu", dict.fromkeys(CODES, 0), VND)
    assert _legend(nothing) == ["0 ₫"]
    assert set(map_fills(parse(nothing.svg)).values()) == {PALETTES[5][0]}
    same = province_map("Hộ bán hàng", dict.fromkeys(CODES, 12))
    assert _legend(same) == ["12"]


def test_a_single_province_with_any_stands_out_and_is_named_by_its_value(vietnamese):
    values = dict.fromkeys(CODES, 0) | {"31": 250_000}
    chart = province_map("Doanh thu", values, VND)
    assert _legend(chart) == ["0 ₫", "250 nghìn ₫"]
    fills = map_fills(parse(chart.svg))
    assert fills["31"] != fills["01"] and len(set(fills.values())) == 2
    # Only one known, the others hidden: the legend names the value and why the rest are grey.
    hidden = province_map("Doanh thu", {"31": 250_000}, VND, unknown_label="Không công bố")
    assert _legend(hidden) == ["250 nghìn ₫", "Không công bố"]


def test_many_zeros_keep_a_class_of_their_own(vietnamese):
    """Most provinces with none and a few with some: zero alone, the others in ranges."""
    some = (3, 5, 9, 14, 40, 85, 300, 990)
    values = dict.fromkeys(CODES, 0) | dict(zip(CODES[:8], some, strict=True))
    classes = map_classes(list(values.values()))
    assert [one.low for one in classes][:2] == [0, 3] and len(classes) == 5
    assert class_label(classes[0]) == "0"
    assert class_label(classes[-1]).startswith("Từ ")
    assert all(one.smallest >= one.low for one in classes)
    fills = map_fills(parse(province_map("Hộ bán hàng", values).svg))
    assert fills[CODES[0]] != fills[CODES[20]] and fills[CODES[7]] == PALETTES[5][-1]


def test_the_table_beside_the_map_lists_every_province_largest_first(vietnamese):
    chart = province_map("Doanh thu", {"79": 2_400_000_000, "01": 1_900_000_000}, VND)
    assert chart.columns == ("Tỉnh hoặc thành phố", "Doanh thu")
    assert chart.rows[:2] == (
        ("TP. Hồ Chí Minh", "2.400.000.000\xa0₫"),
        ("TP. Hà Nội", "1.900.000.000\xa0₫"),
    )
    assert len(chart.rows) == 34
    assert chart.rows[-1][1] == "—"
    # Two values: the legend names each; the others are unknown.
    assert _legend(chart) == ["1,9 tỷ ₫", "2,4 tỷ ₫", "Chưa có số liệu"]


def test_the_map_is_accessible_and_allowed_by_the_csp(vietnamese):
    root = parse(province_map('Hộ "bán" <hàng>', _households()).svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == 'Hộ "bán" <hàng>'
    assert root.find(f"{SVG}desc").text.startswith("Bản đồ 34 tỉnh")
    for node in root.iter():
        assert not node.tag.endswith(("script", "style"))
        assert "style" not in node.attrib


def test_an_unknown_province_code_is_refused(vietnamese):
    with pytest.raises(ValueError):
        province_map("x", {"63": 1})


def test_map_rendered_for_a_phone_and_a_desktop(vietnamese):
    """Writes test-output/screenshots/province-map-*.png, to be looked at."""
    chart = province_map("Hộ bán hàng theo tỉnh", _households() | {"04": None})
    for png in save_png(chart.svg, "province-map", widths=(360, 640)):
        assert png.stat().st_size > 5_000
