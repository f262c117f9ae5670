"""Every <img> in every template says its size, so the page does not shift when it arrives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    p
    for p in ROOT.glob("*/**/templates/**/*.html")
    # Hidden folders (.venv, .mutation's copies of the code) and npm packages are not ours.
    if not any(part.startswith(".") or part == "node_modules" for part in p.relative_to(ROOT).parts)
)
IMG_TAG = re.compile(r"<img\b[^>]*>", re.S)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def _img_tags():
    for path in TEMPLATES:
        for tag in IMG_TAG.findall(JINJA_COMMENT.sub("", path.read_text(encoding="utf-8"))):
            yield pytest.param(tag, id=f"{path.relative_to(ROOT)}:{tag[:40]}")


def test_the_templates_were_found():
    assert any(p.name == "product_page.html" for p in TEMPLATES)
    assert len(list(_img_tags())) >= 8


@pytest.mark.parametrize("tag", list(_img_tags()))
def test_every_img_has_a_width_and_a_height(tag):
    assert re.search(r'\swidth="\d+"', tag) and re.search(r'\sheight="\d+"', tag), tag
