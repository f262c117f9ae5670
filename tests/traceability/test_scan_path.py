"""A label scan takes one path, Flask's `/T/<serial>` (traceability/views/public.py), on both
databases: counted once in one transaction, the batch's page shared between visitors with
the label's own lines filled in, every header Flask adds, and never stored by a cache."""

from __future__ import annotations

import secrets
import threading
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.page_cache import init_page_cache
from tests.app.test_page_cache import page_cache  # noqa: F401  (a fixture)
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.queries import count_queries
from tests.support.web import page_text
from tests.traceability.factories import NOW, harvest, make_batch, record, spray
from traceability import labels, services
from traceability.models import Batch, Label, LabelScan

PHONE = "Mozilla/5.0 (Linux; Android 12; SM-A135F) Mobile Safari/537.36"
COPIED = "có thể đã bị sao chép"


def stock_batches() -> dict[str, list[str]]:
    """A pomelo batch with a GTIN (Digital Link labels) and a lychee batch (short labels),
    six labels each: their paths, by batch code."""
    farm = make_farm(name="Vườn bưởi Cô Mai")
    pomelo = make_batch(
        farm, make_product(farm, name="Bưởi Thanh Hồng", gtin="8934567890120"), code="BT-A"
    )
    lychee = make_batch(farm, make_product(farm, name="Vải thiều Thanh Hà"), code="VT-A")
    paths = {}
    for batch in (pomelo, lychee):
        spray(batch, 30, phi_days=14)
        harvest(batch, 6, quantity="850")
        record(batch, "packing", 5, packages="170", package_unit="thùng 5 kg")
        run = labels.issue_labels(batch, farm.members[0].user, "a4-65", 6)
        paths[batch.code] = [
            urlsplit(labels.label_address(batch, label.serial)).path
            for label in labels.run_labels(run)
        ]
    db.session.commit()
    return paths


@pytest.fixture
def paths(app, page_cache):  # noqa: F811  (the page cache on, as in production)
    return stock_batches()


def scan(app, path, **headers):
    return app.test_client().get(path, headers={"User-Agent": PHONE, **headers})


def counted(path: str) -> tuple[int | None, int]:
    """The label's counter and the scans logged for its serial."""
    serial = path.rsplit("/", 1)[1]
    count = db.session.scalar(select(Label.scan_count).where(Label.serial == serial))
    logged = db.session.scalar(
        select(func.count()).select_from(LabelScan).where(LabelScan.serial == serial)
    )
    return count, logged


def test_each_scan_is_counted_once_and_shows_its_own_label_on_the_shared_page(app, paths):
    first, second, *_ = paths["VT-A"]

    rendered = scan(app, first)
    shared = scan(app, second)
    again = scan(app, first)

    assert rendered.headers["X-Page-Cache"] == "miss" and shared.headers["X-Page-Cache"] == "hit"
    text = page_text(shared)
    assert "Vải thiều Thanh Hà" in text and "VT-A" in text
    assert second.rsplit("/", 1)[1] in text and first.rsplit("/", 1)[1] not in text
    assert "Đây là lần đầu tiên tem này được quét." in text
    assert "Đã quét 2 lần" in page_text(again)
    assert counted(first) == (2, 2) and counted(second) == (1, 1)


def test_nothing_answers_a_request_in_front_of_flask(app):
    assert app.wsgi_app.__func__ is Flask.wsgi_app  # no WSGI layer (TRUSTED_PROXIES is 0)


def test_a_scan_of_a_shared_page_is_one_statement_on_the_session_on_postgresql(app, paths, backend):
    first, second, *_ = paths["VT-A"]
    scan(app, first)  # renders the page and shares it

    with count_queries() as statements:
        shared = scan(app, second)

    assert shared.headers["X-Page-Cache"] == "hit"
    # SQLite takes no INSERT or UPDATE inside WITH: the same work in five statements.
    assert len(statements) == (1 if backend == "postgresql" else 5), statements


def test_a_new_diary_entry_is_shown_at_the_next_scan(app, paths):
    path = paths["VT-A"][0]
    scan(app, path)
    batch = db.session.scalar(select(Batch).where(Batch.code == "VT-A"))
    record(batch, "shipping", 1, to_whom="Siêu thị Hà Nội")
    db.session.commit()

    after_entry = scan(app, path)

    assert after_entry.headers["X-Page-Cache"] == "miss"
    assert "Siêu thị Hà Nội" in page_text(after_entry) and "Đã quét 2 lần" in page_text(after_entry)
    assert counted(path) == (2, 2)


def test_a_recall_is_shown_at_once_on_every_label_of_the_batch(app, paths):
    first, second, third, *_ = paths["VT-A"]
    scan(app, first)  # the page before the recall is shared
    batch = db.session.scalar(select(Batch).where(Batch.code == "VT-A"))
    services.recall_batch(batch, batch.farm.members[0].user, "Dư lượng thuốc vượt mức", NOW)
    db.session.commit()

    pages = [scan(app, second), scan(app, third)]

    assert [page.headers["X-Page-Cache"] for page in pages] == ["miss", "hit"]
    for page in pages:
        assert 'data-testid="recall-banner"' in page.get_data(as_text=True)
        assert "Dư lượng thuốc vượt mức" in page_text(page)
        assert "Tem chính hãng" not in page_text(page)


def test_a_scan_carries_every_header_flask_adds_and_is_never_stored(app, paths, monkeypatch):
    monkeypatch.setitem(app.config, "NONGSAN_ENV", "production")
    first, second, *_ = paths["VT-A"]

    for response in (scan(app, first), scan(app, second), scan(app, "/T/ZZZZZZZZZZ")):
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


def test_a_scan_over_the_limit_is_refused_and_not_counted(app, paths):
    labels_ = paths["VT-A"]
    app.config["SCAN_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [scan(app, path).status_code for path in labels_[:4]]
        unknown = scan(app, "/T/ZZZZZZZZZZ").status_code
    finally:
        app.config["SCAN_RATE_LIMIT"] = "120 per minute"

    assert statuses == [200, 200, 200, 429] and unknown == 429
    assert counted(labels_[3]) == (0, 0) and counted("/T/ZZZZZZZZZZ") == (None, 0)


def test_a_digital_link_naming_another_batch_is_refused_and_counted_once(app, paths):
    first, second, *_ = paths["BT-A"]

    genuine = scan(app, first)
    wrong_lot = scan(app, second.replace("/10/BT-A/", "/10/BT-B/"))

    assert genuine.status_code == 200 and "Bưởi Thanh Hồng" in page_text(genuine)
    assert wrong_lot.status_code == 404 and "không phải tem thật" in page_text(wrong_lot).lower()
    assert counted(first) == (1, 1) and counted(second) == (1, 1)


def test_a_bot_is_logged_not_counted_and_a_serial_never_issued_is_not_genuine(app, paths):
    first, *_ = paths["VT-A"]

    preview = scan(app, first, **{"User-Agent": "facebookexternalhit/1.1"})
    forged = scan(app, "/T/ZZZZZZZZZZ")

    assert preview.status_code == 200 and forged.status_code == 404
    assert counted(first) == (0, 1) and counted("/T/ZZZZZZZZZZ") == (None, 1)


def test_a_serial_with_letters_outside_ascii_is_not_read_as_another(app, paths, monkeypatch):
    batch = db.session.scalar(select(Batch).where(Batch.code == "VT-A"))
    monkeypatch.setattr(labels, "new_serial", lambda: "0000000SS1")
    labels.issue_labels(batch, batch.farm.members[0].user, "a4-65", 1)
    db.session.commit()

    lookalike = scan(app, "/T/0000000ß1")  # "ß".upper() is "SS"

    assert lookalike.status_code == 404 and counted("/T/0000000SS1") == (0, 0)


def test_one_phone_scanning_a_shared_page_is_one_scanner_and_four_networks_warn(app, paths):
    # Given a warning threshold of 3 distinct scanners
    path = paths["VT-A"][0]
    app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 3
    try:
        # When one phone scans the label 40 times, the page shared after the first
        pages = [scan(app, path) for _ in range(40)]
        # And visitors on three more networks scan it
        others = [
            app.test_client().get(
                path, headers={"User-Agent": PHONE}, environ_base={"REMOTE_ADDR": f"203.0.{n}.1"}
            )
            for n in range(1, 4)
        ]
    finally:
        app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 20
    # Then the phone is one scanner, never warned; the fourth scanner is
    assert pages[-1].headers["X-Page-Cache"] == "hit"
    assert not any(COPIED in page_text(page) for page in pages + others[:2])
    assert COPIED in page_text(others[2]) and "4 người khác nhau" in page_text(others[2])
    assert counted(path) == (43, 43)


@pytest.fixture
def committed_shop(backend, database_factory, tmp_path):
    """Its own database with committed data: the scans below come from several threads."""
    url = database_factory(backend, f"scan_path_{secrets.token_hex(4)}")
    app = make_test_app(
        url, str(tmp_path), PAGE_CACHE_SECONDS=30, SCAN_RATE_LIMIT="100000 per minute"
    )
    upgrade_schema(app)
    init_page_cache(app)
    limiter.reset()
    with app.app_context():
        paths = stock_batches()
    yield app, paths
    with app.app_context():
        db.engine.dispose()


def test_many_phones_scanning_at_once_lose_no_count(committed_shop):
    app, paths = committed_shop
    every = paths["VT-A"] + paths["BT-A"]
    start = threading.Barrier(8)
    statuses: list[int] = []

    def phone(offset: int):
        client = app.test_client()
        start.wait()
        for n in range(20):
            path = every[(offset + n) % len(every)]
            statuses.append(client.get(path, headers={"User-Agent": PHONE}).status_code)

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [200] * 160
    with app.app_context():
        figures = [counted(path) for path in every]
    assert all(count == logged for count, logged in figures)
    assert sum(count for count, _ in figures) == 160
