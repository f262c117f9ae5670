"""Static files under content-hashed URLs (app/static_files.py): `?v=<hash>` changes with the
content, the current hash is cached for a year as immutable, any other URL only briefly."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import url_for

from app.static_files import StaticHashes

YEAR = "public, max-age=31536000, immutable"
STATIC = Path(__file__).parents[2] / "app" / "static"


def sha12(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@pytest.fixture
def static_folder(app, tmp_path, monkeypatch):
    """A static folder of our own, holding js/app.js, in place of app/static."""
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("let a = 1;\n")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.setitem(app.extensions, "static_hashes", StaticHashes(str(tmp_path)))
    return tmp_path


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_a_static_url_carries_the_first_12_hex_of_the_files_sha256(app):
    assert (
        static_url(app, "css/site.css")
        == f"/static/css/site.css?v={sha12(STATIC / 'css/site.css')}"
    )
    assert static_url(app, "js/copy.js") == f"/static/js/copy.js?v={sha12(STATIC / 'js/copy.js')}"


def test_the_url_changes_when_the_content_changes(app, static_folder):
    first = static_url(app, "js/app.js")
    assert first == f"/static/js/app.js?v={sha12(static_folder / 'js/app.js')}"
    assert static_url(app, "js/app.js") == first  # the same file, the same URL

    (static_folder / "js" / "app.js").write_text("let a = 2; // changed\n")

    second = static_url(app, "js/app.js")
    assert second != first
    assert second == f"/static/js/app.js?v={sha12(static_folder / 'js/app.js')}"


def test_each_file_is_hashed_once_per_process(app, static_folder, monkeypatch):
    static_url(app, "js/app.js")
    monkeypatch.setattr(hashlib, "file_digest", None)  # hashing again would now fail
    assert static_url(app, "js/app.js").startswith("/static/js/app.js?v=")


def test_a_missing_file_or_a_path_outside_the_folder_gets_no_hash(app):
    assert static_url(app, "css/none.css") == "/static/css/none.css"
    assert static_url(app, "../config.py") == "/static/../config.py"
    assert static_url(app, "css") == "/static/css"


def test_a_file_asked_for_with_its_current_hash_is_immutable_for_a_year(client, app):
    response = client.get(static_url(app, "css/site.css"))
    response.close()
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == YEAR
    assert "Expires" not in response.headers


def test_a_revalidated_hashed_file_stays_immutable(client, app):
    url = static_url(app, "css/site.css")
    first = client.get(url)
    first.close()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    again.close()
    assert again.status_code == 304 and again.headers["Cache-Control"] == YEAR


@pytest.mark.parametrize("query", ["", "?v=", "?v=000000000000"])
def test_a_file_asked_for_without_its_current_hash_is_kept_only_briefly(client, query):
    response = client.get(f"/static/css/site.css{query}")
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=30"
    assert "immutable" not in response.headers["Cache-Control"]


def test_an_old_hash_is_not_pinned_after_the_file_changes(client, app, static_folder):
    old = static_url(app, "js/app.js")
    (static_folder / "js" / "app.js").write_text("let a = 3; // deployed\n")

    stale = client.get(old)
    assert stale.get_data(as_text=True) == "let a = 3; // deployed\n"
    stale.close()
    assert "immutable" not in stale.headers["Cache-Control"]
    current = client.get(static_url(app, "js/app.js"))
    current.close()
    assert current.headers["Cache-Control"] == YEAR


def test_a_missing_file_is_a_plain_404(client):
    response = client.get("/static/css/none.css?v=000000000000")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_pages_link_the_hashed_urls_and_keep_their_own_http_caching(client):
    page = client.get("/products")
    html = page.get_data(as_text=True)

    css, logo = sha12(STATIC / "css/site.css"), sha12(STATIC / "img/logo.svg")
    assert f'href="/static/css/site.css?v={css}"' in html
    assert f'<link rel="icon" href="/static/img/logo.svg?v={logo}"' in html
    assert not re.search(r"/static/[^\"'?]+[\"']", html)  # no static URL without its hash
    # The page itself is still public for a short while, with an ETag that answers 304.
    assert page.headers["Cache-Control"] == "public, max-age=30, stale-if-error=300"
    again = client.get("/products", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "style-src 'self'" in page.headers["Content-Security-Policy"]


def test_a_static_file_is_one_cached_copy_for_every_language_and_a_page_is_not(client):
    with client.get("/static/css/site.css") as css:
        assert css.status_code == 200
        assert "Accept-Language" not in css.headers.get("Vary", "")
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_a_static_file_neither_varies_with_nor_sets_the_session_cookie(client):
    # A visitor with a session (a cart, a message waiting): pages vary with the cookie, an
    # immutable file must not, or the browser fetches it again whenever the cookie changes.
    with client.session_transaction() as session:
        session["cart_token"] = "abc"
    page = client.get("/")
    assert "Cookie" in page.headers["Vary"]
    with client.get("/static/css/site.css") as css:
        assert css.status_code == 200
        assert "Cookie" not in css.headers.get("Vary", "")
        assert "Set-Cookie" not in css.headers


def test_the_header_logo_is_drawn_inline_so_the_favicon_file_is_fetched_once(client):
    # An <img> of the favicon's file is a second download of it (the browser's favicon
    # loader fetches the icon apart from the page's images).
    html = client.get("/").get_data(as_text=True)

    assert html.count("/static/img/logo.svg") == 1  # the <link rel="icon"> alone
    brand = html[html.index('class="brand"') :]
    assert brand.index('<svg aria-hidden="true"') < brand.index("Nông Sản Số")
    assert "<img" not in brand[: brand.index("</a>")]


def test_the_favicon_at_its_hashed_address_is_immutable_for_a_year(client):
    logo = sha12(STATIC / "img/logo.svg")
    with client.get(f"/static/img/logo.svg?v={logo}") as icon:
        assert icon.status_code == 200
        assert icon.headers["Cache-Control"] == YEAR
