"""Brotli and gzip from the application itself (app/compression.py): pages, the stylesheet
and JSON shrink for any client that asks, headers and ETags stay right, downloads pass as
they are, and NONGSAN_COMPRESS=off leaves it to a proxy."""

from __future__ import annotations

import gzip
import hashlib

import brotli
import pytest

from app.config import load_config
from app.extensions import db
from app.images import process_image_upload
from tests.app.factories import log_in
from tests.app.test_images import encode, media_app, noise  # noqa: F401  (a fixture)
from tests.conftest import make_test_app
from tests.dashboard.test_exports import operator_client  # noqa: F401  (a fixture)
from tests.products.factories import make_product
from tests.traceability.test_label_runs import batch  # noqa: F401  (a fixture)

CHROME = "gzip, deflate, br, zstd"  # what Chromium sends
YEAR = "public, max-age=31536000, immutable"


def decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, encoding
    return body


def test_a_page_is_brotli_for_chromium_not_zstd_and_gzip_for_an_older_client(client):
    make_product(name="Bưởi Thanh Hồng")
    plain = client.get("/products")

    chromium = client.get("/products", headers={"Accept-Encoding": CHROME})
    older = client.get("/products", headers={"Accept-Encoding": "gzip, deflate"})
    refusing = client.get("/products", headers={"Accept-Encoding": "identity"})

    assert chromium.headers["Content-Encoding"] == "br"
    assert older.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in refusing.headers and "Content-Encoding" not in plain.headers
    for answer in (chromium, older):
        assert decoded(answer) == plain.get_data()
        assert int(answer.headers["Content-Length"]) < len(plain.get_data()) / 2


def test_a_not_genuine_labels_page_is_compressed_and_keeps_its_404(client):
    plain = client.get("/T/NOTPRINTED0001")
    page = client.get("/T/NOTPRINTED0001", headers={"Accept-Encoding": CHROME})

    assert plain.status_code == page.status_code == 404
    assert page.headers["Content-Encoding"] == "br"
    assert decoded(page) == plain.get_data()
    assert page.headers["Cache-Control"] == "no-store"


def test_a_compressed_page_keeps_every_header_the_page_set(client):
    make_product(name="Bưởi Thanh Hồng")
    plain = client.get("/products")
    page = client.get("/products", headers={"Accept-Encoding": CHROME})

    assert page.headers["Content-Encoding"] == "br" and "Content-Encoding" not in plain.headers

    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Cache-Control"):
        assert page.headers[name] == plain.headers[name], name
    vary = {part.strip() for part in page.headers["Vary"].split(",")}
    assert {"Accept-Encoding", "Accept-Language"} <= vary


def test_the_weak_etag_is_the_same_in_every_encoding_and_answers_304(client):
    make_product(name="Bưởi Thanh Hồng")
    plain = client.get("/products")
    page = client.get("/products", headers={"Accept-Encoding": CHROME})

    assert page.headers["Content-Encoding"] == "br"
    assert page.headers["ETag"].startswith('W/"') and page.headers["ETag"] == plain.headers["ETag"]
    again = client.get(
        "/products", headers={"Accept-Encoding": "gzip", "If-None-Match": page.headers["ETag"]}
    )
    assert again.status_code == 304 and again.get_data() == b""
    assert "Content-Encoding" not in again.headers


def test_the_stylesheet_at_its_hashed_address_is_compressed_and_still_immutable(client):
    with client.get("/static/css/site.css") as plain:
        css, etag = plain.get_data(), plain.headers["ETag"]
    version = hashlib.sha256(css).hexdigest()[:12]

    with client.get(f"/static/css/site.css?v={version}", headers={"Accept-Encoding": CHROME}) as r:
        assert r.headers["Content-Encoding"] == "br"
        assert decoded(r) == css
        assert r.headers["Cache-Control"] == YEAR
        assert "Accept-Encoding" in r.headers["Vary"] and "Cookie" not in r.headers["Vary"]
        # A strong ETag names its encoding: a gzip copy never answers for the br one.
        assert r.headers["ETag"] != etag and r.headers["ETag"].endswith(':br"')


def test_json_ld_is_compressed_too(client):
    catalog = client.get("/open-data/catalog.jsonld", headers={"Accept-Encoding": "gzip"})
    assert catalog.mimetype == "application/ld+json"
    assert catalog.headers["Content-Encoding"] == "gzip"
    assert decoded(catalog) == client.get("/open-data/catalog.jsonld").get_data()


def test_a_label_pdf_download_passes_untouched(client, batch):  # noqa: F811
    log_in(client, batch.farm.members[0].user.phone)
    made = client.post_form(
        f"/dashboard/batches/{batch.id}/labels", {"format": "a4-24", "count": "30"}
    )

    pdf = client.get(made.headers["Location"], headers={"Accept-Encoding": CHROME})

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Content-Encoding" not in pdf.headers and pdf.get_data().startswith(b"%PDF")


def test_a_photo_passes_untouched_with_its_long_cache(media_app):  # noqa: F811
    result = process_image_upload(encode(noise((64, 48)), "PNG"), kind="products")

    with media_app.test_client().get(
        f"/media/{result.thumb_key}", headers={"Accept-Encoding": CHROME}
    ) as response:
        assert response.mimetype == "image/webp" and response.get_data()[8:12] == b"WEBP"
        assert "Content-Encoding" not in response.headers
        assert response.headers["Cache-Control"] == YEAR


def test_off_when_a_proxy_in_front_compresses(tmp_path, monkeypatch):
    monkeypatch.setenv("NONGSAN_COMPRESS", "off")
    assert load_config(str(tmp_path))["COMPRESS_RESPONSES"] is False
    monkeypatch.delenv("NONGSAN_COMPRESS")
    assert load_config(str(tmp_path))["COMPRESS_RESPONSES"] is True

    app = make_test_app(
        "sqlite:///" + str(tmp_path / "x.sqlite3"), str(tmp_path), COMPRESS_RESPONSES=False
    )
    with app.app_context():
        with app.test_client().get(
            "/static/css/site.css", headers={"Accept-Encoding": CHROME}
        ) as css:
            assert "Content-Encoding" not in css.headers
            assert "Accept-Encoding" not in css.headers.get("Vary", "")
        db.engine.dispose()


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_csv_download_arrives_whole_in_either_encoding(operator_client, encoding):  # noqa: F811
    address = "/admin/dashboard/figures.csv?on=2027-04-10"
    csv = operator_client.get(address, headers={"Accept-Encoding": encoding})

    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Content-Encoding"] == encoding
    assert "attachment" in csv.headers["Content-Disposition"]
    assert decoded(csv) == operator_client.get(address).get_data()


def test_a_static_file_read_whole_for_compression_is_closed_at_once(app):
    """Read into the body, the file stream is closed there and then: a browser that drops
    the favicon's request never lets the server close it, and it leaked until collected."""
    from flask import request

    from app.compression import _buffer_small_static_text

    with app.test_request_context("/static/css/site.css"):
        assert request.endpoint == "static"
        response = app.send_static_file("css/site.css")
        stream = response.response

        _buffer_small_static_text(response)

        assert stream.file.closed
        with open(f"{app.static_folder}/css/site.css", "rb") as css:
            assert response.get_data() == css.read()
