"""Text colours in site.css read at 4.5:1 or better (WCAG AA for normal text) on the
backgrounds they sit on: the OCOP and review stars once were #b7791f, 3.6:1 on white."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SITE_CSS = Path(__file__).resolve().parents[2] / "app/static/css/site.css"
CSS = re.sub(r"/\*.*?\*/", "", SITE_CSS.read_text(encoding="utf-8"), flags=re.S)
VARIABLES = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _rule(selector: str) -> dict[str, str]:
    """The declarations of the rule whose selector list holds `selector` exactly."""
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        if selector in (s.strip() for s in selectors.split(",")):
            declarations = dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))
            return {k: _colour(v.strip()) for k, v in declarations.items()}
    raise AssertionError(f"no rule for {selector}")


def _colour(value: str) -> str:
    match = re.fullmatch(r"var\((--[\w-]+)\)", value)
    return VARIABLES[match.group(1)] if match else value


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_matches_wcags_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#b7791f", "#ffffff") == pytest.approx(3.64, abs=0.01)


@pytest.mark.parametrize("selector", [".stars", ".rating-stars", ".star-choice .radio span"])
@pytest.mark.parametrize("background", ["--paper", "--background", "--green-light"])
def test_stars_are_readable_on_cards_pages_and_tinted_boxes(selector, background):
    assert contrast(_rule(selector)["color"], VARIABLES[background]) >= 4.5


@pytest.mark.parametrize(
    "selector", [".badge", ".badge-verified", ".badge-season", ".badge-preorder", ".badge-out"]
)
def test_badges_are_readable_on_their_own_background(selector):
    colours = {**_rule(".badge"), **_rule(selector)}
    assert contrast(colours["color"], colours["background"]) >= 4.5
