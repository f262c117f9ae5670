"""The fast lane for visitors' scans (traceability/views/scan_gateway.py), on PostgreSQL.

It answers outside Flask's request cycle, on its own connection, so these tests use a
database of their own with committed data (like the flash sale's), not a rolled-back one.
"""

from __future__ import annotations

import itertools
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text

from app.extensions import db, limiter
from app.page_cache import init_page_cache
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch, record, spray
from traceability import labels
from traceability.models import Label, LabelScan
from traceability.views import scan_gateway

_databases = itertools.count(1)
PHONE = "Mozilla/5.0 (Linux; Android 12; SM-A135F) Mobile Safari/537.36"


@pytest.fixture
def shop(database_factory, tmp_path):
    """A pomelo batch with a GTIN (Digital Link labels) and a lychee batch (short labels),
    committed, served with the page cache on."""
    app = make_test_app(
        database_factory("postgresql", f"scan_gateway_{next(_databases)}"),
        str(tmp_path),
        PAGE_CACHE_SECONDS=30,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10},
    )
    upgrade_schema(app)
    init_page_cache(app)
    limiter.reset()
    with app.app_context():
        farm = make_farm(name="Vườn bưởi Cô Mai")
        pomelo = make_batch(
            farm, make_product(farm, name="Bưởi Thanh Hồng", gtin="8934567890120"), code="BT-A"
        )
        lychee = make_batch(farm, make_product(farm, name="Vải thiều Thanh Hà"), code="VT-A")
        for batch in (pomelo, lychee):
            spray(batch, 30, phi_days=14)
            harvest(batch, 6, quantity="850")
            record(batch, "packing", 5, packages="170", package_unit="thùng 5 kg")
        owner = farm.members[0].user
        addresses = {}
        for batch in (pomelo, lychee):
            run = labels.issue_labels(batch, owner, "a4-65", 6)
            addresses[batch.code] = [
                urlsplit(labels.label_address(batch, label.serial)).path
                for label in labels.run_labels(run)
            ]
        db.session.commit()
    yield app, addresses
    app.wsgi_app.close()  # the gateway's own connections
    with app.app_context():
        db.engine.dispose()


class FlaskCalls:
    """Counts the requests the gateway hands on to Flask."""

    def __init__(self, gateway):
        self.count, self.inner = 0, gateway.next_app

    def __call__(self, environ, start_response):
        self.count += 1
        return self.inner(environ, start_response)


@pytest.fixture
def flask_calls(shop, monkeypatch):
    app, _ = shop
    calls = FlaskCalls(app.wsgi_app)
    monkeypatch.setattr(app.wsgi_app, "next_app", calls)
    return calls


def scan(app, path, cookies=None, **headers):
    client = app.test_client()
    for name, value in (cookies or {}).items():
        client.set_cookie(name, value)
    return client.get(path, headers={"User-Agent": PHONE, **headers})


def counted(app, path) -> tuple[int, int]:
    """The label's counter and the scans logged for it."""
    serial = path.rsplit("/", 1)[1]
    with app.app_context():
        count = db.session.scalar(select(Label.scan_count).where(Label.serial == serial))
        logged = db.session.scalar(
            select(func.count()).select_from(LabelScan).where(LabelScan.serial == serial)
        )
    return count, logged


def test_a_visitors_scan_of_a_cached_page_is_answered_before_flask(shop, flask_calls):
    app, addresses = shop
    first, second, *_ = addresses["VT-A"]

    rendered = scan(app, first)
    answered = scan(app, second)

    assert flask_calls.count == 1  # the first scan rendered the page, the second did not
    assert rendered.headers["X-Page-Cache"] == "miss"
    assert answered.status_code == 200 and answered.headers["X-Page-Cache"] == "hit"
    text = page_text(answered)
    assert "Vải thiều Thanh Hà" in text and "VT-A" in text
    assert second.rsplit("/", 1)[1] in text and "Đây là lần đầu tiên tem này được quét." in text
    assert counted(app, second) == (1, 1)


@pytest.mark.parametrize(
    "headers, cookies, words",
    [
        ({}, {}, "Tem chính hãng"),
        ({"Accept-Language": "en-GB,en;q=0.8"}, {}, "Genuine label"),
        ({"Accept-Language": "en"}, {"lang": "vi"}, "Tem chính hãng"),
        ({}, {"lang": "en"}, "Genuine label"),
    ],
)
def test_the_gateway_sends_what_flask_sends_for_the_same_scan(
    shop, flask_calls, headers, cookies, words
):
    app, addresses = shop
    warm, by_gateway, by_flask = addresses["VT-A"][:3]
    gateway = app.wsgi_app
    scan(app, warm, cookies, **headers)  # renders and shares the page in this language

    from_gateway = scan(app, by_gateway, cookies, **headers)
    assert flask_calls.count == 1
    app.wsgi_app = gateway.next_app
    try:
        from_flask = scan(app, by_flask, cookies, **headers)
    finally:
        app.wsgi_app = gateway

    def same_serial(response, path):
        return response.get_data(as_text=True).replace(path.rsplit("/", 1)[1], "SERIAL")

    assert from_gateway.status_code == from_flask.status_code == 200
    assert same_serial(from_gateway, by_gateway) == same_serial(from_flask, by_flask)
    assert sorted(from_gateway.headers.items()) == sorted(from_flask.headers.items())
    assert from_gateway.headers["X-Page-Cache"] == "hit" and words in page_text(from_gateway)


def test_each_scan_is_counted_once_whichever_way_it_is_answered(shop, flask_calls):
    app, addresses = shop
    path = addresses["VT-A"][0]
    scan(app, path)  # Flask renders
    scan(app, path)  # the gateway answers
    with app.app_context():  # a new diary entry: a new version, rendered again
        from traceability.models import Batch

        batch = db.session.scalar(select(Batch).where(Batch.code == "VT-A"))
        record(batch, "shipping", 1, to_whom="Siêu thị Hà Nội")
        db.session.commit()

    after_entry = scan(app, path)

    assert after_entry.headers["X-Page-Cache"] == "miss" and flask_calls.count == 2
    assert "Siêu thị Hà Nội" in page_text(after_entry)
    assert "Đã quét 3 lần" in page_text(after_entry)
    assert counted(app, path) == (3, 3)


def test_a_visitor_with_a_session_is_answered_by_flask(shop, flask_calls):
    app, addresses = shop
    first, second, *_ = addresses["VT-A"]
    scan(app, first)

    response = scan(app, second, {"session": "anything"})

    assert response.status_code == 200 and flask_calls.count == 2
    assert counted(app, second) == (1, 1)


def test_a_digital_link_is_answered_and_one_naming_another_batch_is_not_genuine(shop, flask_calls):
    app, addresses = shop
    first, second, third, *_ = addresses["BT-A"]
    scan(app, first)

    genuine = scan(app, second)
    wrong_lot = scan(app, third.replace("/10/BT-A/", "/10/BT-B/"))

    assert genuine.status_code == 200 and genuine.headers["X-Page-Cache"] == "hit"
    assert wrong_lot.status_code == 404 and "không phải tem thật" in page_text(wrong_lot).lower()
    assert flask_calls.count == 2
    assert counted(app, third) == (1, 1)  # counted by the gateway, not again by Flask


def test_a_bot_and_a_serial_never_issued_go_to_flask(shop, flask_calls):
    app, addresses = shop
    first, second, *_ = addresses["VT-A"]
    scan(app, first)

    preview = scan(app, second, **{"User-Agent": "facebookexternalhit/1.1"})
    forged = scan(app, "/T/ZZZZZZZZZZ")

    assert preview.status_code == 200 and forged.status_code == 404
    assert flask_calls.count == 3
    assert counted(app, second) == (0, 1)  # a link preview is logged, not counted
    assert counted(app, "/T/ZZZZZZZZZZ") == (None, 1)


def test_a_scan_over_the_limit_is_refused_and_not_counted(shop, flask_calls):
    app, addresses = shop
    paths = addresses["VT-A"]
    app.config["SCAN_RATE_LIMIT"] = "3 per minute"

    statuses = [scan(app, path).status_code for path in paths[:4]]

    assert statuses == [200, 200, 200, 429]
    assert counted(app, paths[3]) == (0, 0)


def test_when_the_gateway_fails_flask_answers_and_counts(shop, flask_calls, monkeypatch):
    app, addresses = shop
    first, second, *_ = addresses["VT-A"]
    scan(app, first)

    def broken(*args):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(scan_gateway, "record_visitor_scan", broken)
    response = scan(app, second)

    assert response.status_code == 200 and flask_calls.count == 2
    assert counted(app, second) == (1, 1)


def test_many_phones_scanning_at_once_lose_no_count(shop):
    app, addresses = shop
    app.config["SCAN_RATE_LIMIT"] = "100000 per minute"
    paths = addresses["VT-A"] + addresses["BT-A"]
    scan(app, paths[0])
    scan(app, paths[-1])
    start = threading.Barrier(8)
    statuses: list[int] = []

    def phone(offset: int):
        client = app.test_client()
        start.wait()
        for n in range(30):
            path = paths[(offset + n) % len(paths)]
            statuses.append(client.get(path, headers={"User-Agent": PHONE}).status_code)

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200] * 240
    total_count = total_logged = 0
    for path in paths:
        count, logged = counted(app, path)
        assert count == logged
        total_count, total_logged = total_count + count, total_logged + logged
    assert total_count == total_logged == 242


def test_requests_handed_on_to_flask_count_once_against_the_scan_limit(shop, flask_calls):
    app, _ = shop
    app.config["SCAN_RATE_LIMIT"] = "3 per minute"

    statuses = [scan(app, "/T/ZZZZZZZZZ" + str(n)).status_code for n in range(4)]

    assert statuses == [404, 404, 404, 429]
    assert flask_calls.count == 4


def test_a_serial_with_letters_outside_ascii_is_not_read_as_another(shop, monkeypatch):
    app, _ = shop
    with app.app_context():
        from traceability.models import Batch

        batch = db.session.scalar(select(Batch).where(Batch.code == "VT-A"))
        monkeypatch.setattr(labels, "new_serial", lambda: "0000000SS1")
        labels.issue_labels(batch, batch.farm.members[0].user, "a4-65", 1)
        db.session.commit()

    lookalike = scan(app, "/T/0000000ß1")  # "ß".upper() is "SS"

    assert lookalike.status_code == 404
    assert counted(app, "/T/0000000SS1") == (0, 0)


def test_after_its_connection_is_cut_the_gateway_opens_another(shop, flask_calls):
    app, addresses = shop
    first, second, third, *_ = addresses["VT-A"]
    scan(app, first)
    scan(app, second)  # the gateway's connection is open
    gateway = app.wsgi_app
    with app.app_context():  # as a restart of PostgreSQL would
        db.session.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": gateway._own.connection.info.backend_pid},
        )
        db.session.commit()

    cut = scan(app, third)
    again = scan(app, first)

    assert cut.status_code == again.status_code == 200
    assert flask_calls.count == 2  # the cut scan went to Flask, the next one did not
    assert counted(app, third) == (1, 1) and counted(app, first) == (2, 2)


def test_the_gateway_counts_scanners_as_flask_does_so_one_client_never_marks_a_copy(
    shop, flask_calls
):
    # Given a warning threshold of 3 distinct scanners
    app, addresses = shop
    app.config["LABEL_SCAN_WARNING_THRESHOLD"] = 3
    path = addresses["VT-A"][0]
    scan(app, path)  # Flask renders and shares the page
    # When one phone scans it 40 times more through the gateway
    pages = [scan(app, path) for _ in range(40)]
    # Then it is one scanner, noted once, and nobody is warned
    assert flask_calls.count == 1 and pages[-1].headers["X-Page-Cache"] == "hit"
    assert not any("có thể đã bị sao chép" in page_text(page) for page in pages)
    with app.app_context():
        from traceability.models import LabelScanner

        assert db.session.scalar(select(func.count()).select_from(LabelScanner)) == 1
    # And visitors on three more networks make the fourth scanner, who is warned
    for n in range(1, 4):
        client = app.test_client()
        last = client.get(
            path, headers={"User-Agent": PHONE}, environ_base={"REMOTE_ADDR": f"203.0.{n}.10"}
        )
    assert last.headers["X-Page-Cache"] == "hit" and flask_calls.count == 1
    assert "có thể đã bị sao chép" in page_text(last) and "4 người khác nhau" in page_text(last)
