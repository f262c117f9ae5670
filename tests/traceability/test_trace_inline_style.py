"""The pages a consumer reaches from a label paint from their HTML alone: site.css inline in
a <style>, no stylesheet link, and the Content-Security-Policy allowing exactly that text by
its SHA-256 (app/inline_styles.py), also when the stylesheet changes under a running server."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path

import pytest

from app.inline_styles import InlineStyles, minify_css
from tests.app.test_page_cache import page_cache  # noqa: F401  (a fixture)
from tests.traceability.test_scan_path import PHONE, stock_batches
from traceability.models import Batch

STATIC = Path(__file__).parents[2] / "app" / "static"
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def style_and_policy(response) -> tuple[str, str]:
    html = response.get_data(as_text=True)
    styles = STYLE.findall(html)
    assert len(styles) == 1, "one inline stylesheet"
    return styles[0], response.headers["Content-Security-Policy"]


def allowed_by_hash(text: str, policy: str) -> bool:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    style_src = next(part for part in policy.split(";") if part.strip().startswith("style-src"))
    return f"'sha256-{digest}'" in style_src.split()


def label_pages(app) -> dict[str, str]:
    paths = stock_batches()
    lychee = paths["VT-A"][0]
    batch = Batch.query.filter_by(code="VT-A").one()
    return {
        "short label": lychee,
        "short label, lower case": lychee.replace("/T/", "/t/"),
        "Digital Link": paths["BT-A"][0],
        "batch page": f"/trace/{batch.farm.slug}/{batch.code}",
        "not genuine": "/T/NOTPRINTED0001",
    }


def get(app, path: str):
    return app.test_client().get(path, headers={"User-Agent": PHONE})


def test_every_label_page_inlines_the_stylesheet_its_policy_allows_by_hash(app):
    for name, path in label_pages(app).items():
        response = get(app, path)

        assert response.status_code in (200, 404), name
        html = response.get_data(as_text=True)
        assert 'rel="stylesheet"' not in html, name
        style, policy = style_and_policy(response)
        assert style == minify_css((STATIC / "css/site.css").read_text()), name
        assert allowed_by_hash(style, policy), name
        assert "unsafe-inline" not in policy and "nonce-" not in policy, name


def test_other_pages_still_link_the_stylesheet(client):
    html = client.get("/").get_data(as_text=True)
    assert "<style>" not in html
    assert 'rel="stylesheet" href="/static/css/site.css?v=' in html


def test_minifying_drops_comments_and_spacing_but_keeps_selectors_and_quoted_names():
    css = '/* a */\n.a :focus ,\n.b > p {\n  font-family: "Segoe UI", x;\n  color: red;\n}\n'
    assert minify_css(css) == '.a :focus,.b > p{font-family:"Segoe UI",x;color:red}'


@pytest.fixture
def own_stylesheet(app, tmp_path, monkeypatch):
    """A copy of app/static that the test may edit, as a deploy edits site.css."""
    shutil.copytree(STATIC / "css", tmp_path / "css")
    monkeypatch.setitem(app.extensions, "inline_styles", InlineStyles(str(tmp_path)))
    return tmp_path / "css" / "site.css"


def test_an_edited_stylesheet_gets_a_new_hash_and_no_cached_page_keeps_the_old_text(
    app,
    page_cache,  # noqa: F811  (on, as in production: the trace page is shared)
    own_stylesheet,
):
    page = label_pages(app)["batch page"]
    before = get(app, page)
    assert get(app, page).headers["X-Page-Cache"] == "hit"

    own_stylesheet.write_text(own_stylesheet.read_text() + "\n.late { color: #123456; }\n")
    after = get(app, page)

    assert after.headers["X-Page-Cache"] == "miss"
    style, policy = style_and_policy(after)
    assert style.endswith(".late{color:#123456}")
    assert allowed_by_hash(style, policy)
    old_style, _ = style_and_policy(before)
    assert not allowed_by_hash(old_style, policy)


def test_a_stylesheet_gone_or_broken_after_start_up_keeps_the_last_good_text(
    app, own_stylesheet, caplog
):
    """A deploy swapping files must not fail every response (each one's policy carries the
    hash): the last good text and hash stay, and the failure is logged."""
    page = label_pages(app)["batch page"]
    good_style, good_policy = style_and_policy(get(app, page))

    own_stylesheet.write_text(own_stylesheet.read_text() + "\n.x::after { content: '</b>'; }\n")
    broken = get(app, page)
    own_stylesheet.unlink()
    gone = get(app, page)

    for response in (broken, gone):
        assert response.status_code == 200
        assert style_and_policy(response) == (good_style, good_policy)
    assert app.test_client().get("/healthz").status_code == 200
    assert "cannot be inlined now" in caplog.text


@pytest.mark.parametrize(
    "rule",
    [".x::after { content: '</style>'; }", ".x { background: url(img/leaf.svg); }"],
)
def test_a_stylesheet_that_cannot_be_inlined_stops_the_app_at_start_up(tmp_path, rule):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { margin: 0; }\n" + rule)

    with pytest.raises(ValueError, match="cannot be inlined"):
        InlineStyles(str(tmp_path)).csp_sources()


def test_absolute_and_data_urls_may_be_inlined(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text(
        ".a { background: url(/static/img/leaf.svg); } .b { background: url('data:,x'); }"
    )

    assert InlineStyles(str(tmp_path)).csp_sources().startswith("'sha256-")


def test_a_page_rendered_just_before_an_edit_still_has_its_text_allowed(app, own_stylesheet):
    """The header is built after the page: the text the page inlined is allowed even when the
    file changed in between."""
    from app.inline_styles import inline_stylesheet
    from app.security import content_security_policy

    with app.test_request_context("/T/X"):
        emitted = str(inline_stylesheet())[len("<style>") : -len("</style>")]
        own_stylesheet.write_text(own_stylesheet.read_text() + "\n.later { color: #654321; }\n")
        policy = content_security_policy()

    assert allowed_by_hash(emitted, policy)
    assert "#654321" not in emitted
    assert len(re.findall(r"'sha256-", policy)) == 2  # the page's text and the new file's
