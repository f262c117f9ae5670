"""The edges of the VietQR writer: what each refusal says, and the inline SVG's geometry
(one unit per module, sized by the page, crisp module edges)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from orders.vietqr import QUIET_ZONE_MODULES, build_payload, qr_svg, tlv

ACB = {"bank_bin": "970416", "account_number": "257678859"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bank_bin": "97041"}, "bank BIN must be 6 digits, got '97041'"),
        ({"account_number": "0011-002"}, "account number must be 1 to 19 letters or digits"),
        ({"amount_vnd": 1.5}, "amount must be a whole number of đồng, got 1.5"),
        ({"amount_vnd": 0}, "amount must be between 1 and 9999999999999 đồng"),
    ],
)
def test_a_refused_payload_says_which_field_is_wrong(fields, message):
    with pytest.raises(ValueError) as refused:
        build_payload(**(ACB | fields))

    assert str(refused.value) == message


def test_a_refused_field_says_what_the_standard_allows():
    with pytest.raises(ValueError) as bad_tag:
        tlv("5A", "VN")
    with pytest.raises(ValueError) as too_long:
        tlv("62", "x" * 100)

    assert str(bad_tag.value) == "EMVCo tag must be two digits, got '5A'"
    assert str(too_long.value) == "EMVCo field 62 is 100 characters long; the limit is 99"


def _svg():
    return ET.fromstring(qr_svg(build_payload(**ACB), label="VietQR"))


def test_the_svg_has_no_fixed_size_of_its_own():
    root = _svg()

    assert "width" not in root.attrib and "height" not in root.attrib


def test_the_svg_draws_one_unit_per_module_with_the_quiet_zone_around():
    # Given the published ACB code: version 4 at level M, 33 modules a side
    root = _svg()

    # Then its view box is those modules plus the quiet zone, one unit each
    assert root.get("viewBox") == f"0 0 {33 + 2 * QUIET_ZONE_MODULES} {33 + 2 * QUIET_ZONE_MODULES}"
    path = root.find(f"{SVG}path")
    coordinates = re.findall(r"[0-9.]+", path.get("d"))
    assert all(c.isdigit() for c in coordinates)
    assert min(int(c) for c in coordinates) == QUIET_ZONE_MODULES


def test_every_module_path_is_drawn_with_crisp_edges():
    paths = _svg().findall(f".//{SVG}path")

    assert paths and all(p.get("shape-rendering") == "crispEdges" for p in paths)
