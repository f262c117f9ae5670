"""The production-like stack end to end, through nginx only: PostgreSQL, Redis, moto's S3
server, two gunicorn app instances, the job worker and nginx, as `make stack` starts them.

A guest buys from two farms; a farmer uploads a photo (it lands in the bucket and comes back
through nginx) and prints labels (the worker draws them), and a label is scanned. Around that
journey: compression, immutable static files, pages nginx answers from its cache without the
app, pages with a session never cached, both instances sharing sessions, rate limits and the
page cache, the client's address passed on, and oversize uploads refused by nginx.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from stack.nginx import BROTLI_MODULE
from tests.stack.conftest import LABEL_RUN_BACKGROUND_FROM
from tests.stack.visitor import Upload, Visitor

pytestmark = pytest.mark.postgres_only  # the stack runs on PostgreSQL

STATIC = Path(__file__).parents[2] / "app" / "static"
FARMER = "0912000101"  # Nguyễn Văn Thành, Thanh Hà lychee household (demo/seed.py)
PASSWORD = "nongsan-demo"
ADDRESS = {
    "name": "Lê Minh Anh",
    "phone": "0987 654 321",
    "province_code": "01",
    "commune": "00070",  # Phường Hoàn Kiếm
    "street": "12 Hàng Bạc",
    "payment_method": "cod",
}


def _log_in(stack, identifier: str = FARMER, **visitor) -> Visitor:
    person = Visitor(stack.url, **visitor)
    page = person.get("/login")
    signed_in = person.submit(page, "/login", {"identifier": identifier, "password": PASSWORD})
    assert signed_in.status == 200 and signed_in.path.startswith("/dashboard"), signed_in.path
    return person


@pytest.fixture(scope="module")
def farmer(stack) -> Visitor:
    return _log_in(stack)


@pytest.fixture(scope="module")
def farm_id(farmer) -> int:
    return int(re.search(r"/dashboard/farms/(\d+)", farmer.get("/dashboard").text).group(1))


def _app_requests(stack, pattern: str, expected: int | None = None) -> int:
    """How many requests matching `pattern` the app instances logged (gunicorn's access log,
    written just after each answer): once `expected` are there, or after a short wait."""
    deadline = time.monotonic() + (5 if expected is not None else 1)
    while True:
        count = sum(
            len(re.findall(pattern, stack.app_log(index).read_text()))
            for index in range(len(stack.app_ports))
        )
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def _nginx_lines(stack, pattern: str, count: int = 1) -> list[str]:
    """nginx's access-log lines matching `pattern`, once there are `count` of them (nginx
    writes a line just after the answer has gone out)."""
    deadline = time.monotonic() + 5
    while True:
        lines = [
            line
            for line in stack.nginx_access_log.read_text().splitlines()
            if re.search(pattern, line)
        ]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def _upstream(line: str) -> str:
    return re.search(r"upstream=(\S+)", line).group(1)


def _jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 140, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_guest_buys_from_two_farms(stack):
    guest = Visitor(stack.url)
    for slug, quantity in (("buoi-thanh-hong", 2), ("che-tan-cuong-dac-biet", 1)):
        product = guest.get(f"/products/{slug}")
        assert product.status == 200
        cart = guest.submit(product, "/cart/add", {"quantity": quantity})
        assert cart.status == 200 and cart.path == "/cart"
    assert cart.text.count('data-testid="cart-farm"') == 2

    checkout = guest.get("/checkout")
    review = guest.submit(checkout, "/checkout", {**ADDRESS, "step": "review"})
    assert review.status == 200 and 'data-testid="review"' in review.text
    placed = guest.submit(review, "/checkout", {"step": "place"})

    assert placed.status == 200 and placed.path.startswith("/orders/c/")
    assert "Cảm ơn bạn! Đơn hàng đã được đặt." in placed.text
    assert len(set(re.findall(r'data-testid="order-(NS\d+)"', placed.text))) == 2


def test_a_farmers_photo_lands_in_the_bucket_and_is_served_through_nginx(stack, farmer, farm_id):
    profile = farmer.get(f"/dashboard/farms/{farm_id}/profile")
    before = set(re.findall(r"/media/(farms/[^\"?]+\.webp)", profile.text))
    photo = Upload("vuon-vai.jpg", "image/jpeg", _jpeg())

    shown = farmer.submit(profile, f"/dashboard/farms/{farm_id}/photos", files={"photo": photo})

    assert shown.status == 200 and "Đã thêm ảnh." in shown.text
    added = set(re.findall(r"/media/(farms/[^\"?]+\.webp)", shown.text)) - before
    assert added
    bucket = stack.s3.client()
    for key in added:
        stored = bucket.get_object(Bucket=stack.s3.bucket, Key=key)["Body"].read()
        guest = Visitor(stack.url)
        first, again = guest.get(f"/media/{key}"), guest.get(f"/media/{key}")
        assert first.status == again.status == 200
        assert first.header("Content-Type") == "image/webp" and first.body == stored
        assert "immutable" in first.header("Cache-Control")
        assert (first.header("X-Cache-Status"), again.header("X-Cache-Status")) == ("MISS", "HIT")


def test_the_farmer_prints_labels_the_worker_draws_them_and_a_label_is_scanned(
    stack, farmer, farm_id, tmp_path
):
    from tests.support.pdf_qr import decode_labels
    from traceability.label_formats import FORMATS
    from traceability.labels import STORAGE_FOLDER

    batches = farmer.get(f"/dashboard/farms/{farm_id}/batches")
    batch = re.search(r"/dashboard/batches/(\d+)", batches.text).group(1)
    page = farmer.get(f"/dashboard/batches/{batch}")
    count = LABEL_RUN_BACKGROUND_FROM  # drawn by the worker, not in the request
    answer = farmer.submit(
        page, f"/dashboard/batches/{batch}/labels", {"format": "a4-21", "count": count}
    )
    run = re.fullmatch(r"/dashboard/label-runs/(\d+)\.pdf", answer.path).group(1)
    deadline = time.monotonic() + 60
    while answer.status == 202 and time.monotonic() < deadline:  # "being drawn" page
        time.sleep(0.5)
        answer = farmer.get(answer.path)
    assert answer.status == 200 and answer.header("Content-Type") == "application/pdf"
    assert answer.header("Cache-Control") == "private, no-store"
    listing = stack.s3.client().list_objects_v2(
        Bucket=stack.s3.bucket, Prefix=f"{STORAGE_FOLDER}/{farm_id}/{run}-"
    )
    assert [item["Size"] for item in listing.get("Contents", [])] == [len(answer.body)]

    codes = [
        code for slot in decode_labels(answer.body, FORMATS["a4-21"], tmp_path)[0] for code in slot
    ]
    assert len(codes) == count
    scan_path = urlsplit(codes[0]).path
    scans = [Visitor(stack.url).get(scan_path) for _ in range(2)]
    for scan in scans:
        assert scan.status == 200 and scan.header("Cache-Control") == "no-store"
        assert scan.header("X-Cache-Status") != "HIT"  # each scan is counted by the app
    assert _app_requests(stack, rf'"GET {re.escape(scan_path)} ', 2) == 2

    # The trace page and its EPCIS history (JSON-LD) go out compressed.
    trace = scans[0]
    epcis = re.search(r'href="([^"]+epcis\.jsonld)"', trace.text).group(1)
    for path, content_type in ((scan_path, "text/html"), (epcis, "application/ld+json")):
        answer = Visitor(stack.url).request("GET", path, decompress=False)
        assert answer.status == 200 and answer.header("Content-Type").startswith(content_type)
        assert answer.header("Content-Encoding") == "gzip", path


def test_pages_styles_scripts_and_svg_are_compressed(stack):
    guest = Visitor(stack.url)
    home = guest.get("/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css\?v=\w+)"', home.text).group(1)
    logo = re.search(r'rel="icon" href="(/static/[^"]+\.svg\?v=\w+)"', home.text).group(1)
    script = re.search(r'src="(/static/[^"]+\.js(?:\?v=\w+)?)"', home.text)
    paths = ["/", "/products", stylesheet, logo, stylesheet.split("?")[0]]
    paths += [script.group(1)] if script else []
    for path in paths:
        answer = guest.request("GET", path, decompress=False)
        assert answer.header("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in ", ".join(answer.headers.get_all("Vary") or []), path
    if BROTLI_MODULE.exists():
        answer = guest.request(
            "GET", "/", headers={"Accept-Encoding": "br, gzip"}, decompress=False
        )
        assert answer.header("Content-Encoding") == "br"
        assert b"<html" not in answer.body


def test_a_gzip_only_client_never_gets_the_brotli_body_a_browser_before_it_got(stack):
    # nginx keeps one copy of a versioned static file whatever the Vary (its key ignores
    # Accept-Encoding): the app, which compresses when it runs alone, is asked for a plain
    # body, and nginx compresses that copy for each client. (No other test fetches charts.css,
    # so the br request below is the one that fills the cache.)
    version = hashlib.sha256((STATIC / "css" / "charts.css").read_bytes()).hexdigest()[:12]
    path = f"/static/css/charts.css?v={version}"
    Visitor(stack.url).request("GET", path, headers={"Accept-Encoding": "br"}, decompress=False)
    later = Visitor(stack.url).request("GET", path, decompress=False)

    assert later.header("X-Cache-Status") == "HIT"
    assert later.header("Content-Encoding") == "gzip"
    assert gzip.decompress(later.body) == (STATIC / "css" / "charts.css").read_bytes()


def test_static_files_are_immutable_only_under_their_current_hash(stack):
    guest = Visitor(stack.url)
    stylesheet = re.search(r'href="(/static/[^"]+\.css)\?v=(\w+)"', guest.get("/").text)
    path, version = stylesheet.groups()
    current = [guest.get(f"{path}?v={version}") for _ in range(2)]
    for answer in current:
        assert answer.header("Cache-Control") == "public, max-age=31536000, immutable"
    # The app said so once; nginx answers from its cache after that.
    assert current[1].header("X-Cache-Status") == "HIT"
    assert _app_requests(stack, rf'"GET {re.escape(path)}\?v={version} ') == 1

    stale = guest.get(f"{path}?v=000000000000")  # a page from before a deploy asks for this
    assert stale.status == 200 and "immutable" not in stale.header("Cache-Control")
    plain = guest.get(path)  # no version: nginx serves it from disk, briefly cacheable
    assert plain.header("X-Cache-Status") == "DISK"
    assert plain.header("Cache-Control") == "public, max-age=300"
    assert plain.body == current[0].body == stale.body
    assert not any(name.lower() == "set-cookie" for name in current[0].headers)


def test_a_cached_anonymous_page_is_served_by_nginx_without_reaching_the_app(stack):
    path = f"/products?q=cache-{uuid.uuid4().hex[:8]}"
    guest = Visitor(stack.url)

    first = guest.get(path)
    assert first.header("X-Cache-Status") == "MISS"
    assert "public" in first.header("Cache-Control") and first.header("ETag").startswith('W/"')
    assert _app_requests(stack, re.escape(f'"GET {path} '), 1) == 1

    for visitor in (guest, Visitor(stack.url)):
        again = visitor.get(path)
        assert again.header("X-Cache-Status") == "HIT" and again.body == first.body
    revalidated = guest.get(path, headers={"If-None-Match": first.header("ETag")})
    assert revalidated.status == 304 and revalidated.header("X-Cache-Status") == "HIT"
    assert _app_requests(stack, re.escape(f'"GET {path} ')) == 1  # nothing reached the app


def test_vietnamese_and_english_pages_are_cached_apart(stack):
    path = f"/products?q=lang-{uuid.uuid4().hex[:8]}"
    english = Visitor(stack.url, accept_language="en-US,en;q=0.9")
    vietnamese = Visitor(stack.url, accept_language="vi-VN,vi;q=0.9")
    by_cookie = Visitor(stack.url, accept_language="vi-VN,vi;q=0.9", cookies={"lang": "en"})

    answers = [english.get(path), vietnamese.get(path), english.get(path), by_cookie.get(path)]

    languages = [re.search(r'<html lang="(\w+)"', a.text).group(1) for a in answers]
    assert languages == ["en", "vi", "en", "en"]
    assert [a.header("X-Cache-Status") for a in answers] == ["MISS", "MISS", "HIT", "MISS"]


def test_a_page_with_a_session_is_never_cached(stack, farmer):
    path = f"/products?q=private-{uuid.uuid4().hex[:8]}"
    signed_in = [farmer.get(path) for _ in range(2)]
    for answer in signed_in:
        assert answer.header("X-Cache-Status") == "BYPASS"
        assert "private" in answer.header("Cache-Control") or "no-store" in answer.header(
            "Cache-Control"
        )
        assert 'action="/logout"' in answer.text
    guest = Visitor(stack.url)
    anonymous = guest.get(path)
    assert anonymous.header("X-Cache-Status") == "MISS" and 'action="/logout"' not in anonymous.text
    # A guest holding a session (a cart) is never answered from the cache either.
    guest.cookies["session"] = farmer.cookies["session"]
    assert guest.get(path).header("X-Cache-Status") == "BYPASS"


def test_both_app_instances_serve_and_share_sessions_and_the_page_cache(stack, farmer, farm_id):
    # The signed-in farmer's pages go to either instance; each one knows the session.
    marker = uuid.uuid4().hex[:8]
    for index in range(4):
        page = farmer.get(f"/dashboard/farms/{farm_id}?visit={marker}-{index}")
        assert page.status == 200 and 'action="/logout"' in page.text
    lines = _nginx_lines(stack, rf"GET /dashboard/farms/{farm_id}\?visit={marker}-", 4)
    assert {_upstream(line) for line in lines} == {f"127.0.0.1:{p}" for p in stack.app_ports}

    # The page cache in Redis: a page one instance rendered is served by the other. (A guest
    # with a session bypasses nginx's cache, not the app's.)
    guest = Visitor(stack.url)
    guest.submit(guest.get("/products/buoi-thanh-hong"), "/cart/add", {"quantity": 1})
    path = f"/products?q=shared-{uuid.uuid4().hex[:8]}"
    answers = []
    for attempt in range(1, 5):
        answer = guest.get(path)
        upstream = _upstream(_nginx_lines(stack, re.escape(f"GET {path} "), attempt)[-1])
        answers.append((answer.header("X-Page-Cache"), upstream))
    assert answers[0][0] == "miss"
    assert any(state == "hit" and upstream != answers[0][1] for state, upstream in answers[1:])


def test_the_app_limits_by_the_client_address_nginx_passes_on(stack):
    # Five wrong passwords from one address (LOGIN_FAILURE_LIMIT), whichever instance gets
    # them: the sixth is refused. Another address, or a forged X-Forwarded-For, is not.
    attacker = Visitor(stack.url, address="127.0.0.2")
    login = attacker.get("/login")
    statuses = []
    for attempt in range(6):
        wrong = {"identifier": f"09129990{attempt:02d}", "password": "not-the-password"}
        statuses.append(attacker.submit(login, "/login", wrong).status)
    assert statuses == [422] * 5 + [429]
    failures = _nginx_lines(stack, r"^127\.0\.0\.2 .*POST /login ", 6)
    assert len({_upstream(line) for line in failures}) == 2  # counted in Redis, not per process

    neighbour = Visitor(stack.url, address="127.0.0.3")
    page = neighbour.get("/login")
    assert (
        neighbour.submit(page, "/login", {"identifier": "0912999100", "password": "x"}).status
        == 422
    )
    forger = Visitor(stack.url, address="127.0.0.4")
    page = forger.get("/login")
    wrong = {"identifier": "0912999101", "password": "x"}
    forged = forger.submit(page, "/login", wrong, headers={"X-Forwarded-For": "127.0.0.2"})
    assert forged.status == 422


def test_a_flood_from_one_address_is_refused_and_its_neighbours_are_not(stack):
    # nginx's guard (30 requests/s, bursts of 60) lets many phones sharing one carrier
    # address through, and stops a flood.
    path = f"/products?q=flood-{uuid.uuid4().hex[:8]}"
    flood = Visitor(stack.url, address="127.0.0.5")
    answers = []
    while len(answers) < 400 and (not answers or answers[-1].status != 429):
        answers.append(flood.get(path))  # as fast as one client can: 429 comes after the burst
    assert [a.status for a in answers[:60]] == [200] * 60
    refused = answers[-1]
    assert refused.status == 429 and "Quá nhiều yêu cầu" in refused.text
    assert Visitor(stack.url, address="127.0.0.6").get(path).status == 200


def test_an_oversize_upload_is_refused_by_nginx_with_413(stack, farmer, farm_id):
    path = f"/dashboard/farms/{farm_id}/photos"
    before = _app_requests(stack, re.escape(f'"POST {path} '))
    too_big = 16 * 1024 * 1024 + 1
    target = urlsplit(stack.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(too_big))
        connection.putheader("Cookie", f"session={farmer.cookies['session']}")
        connection.endheaders(b"--x\r\n" + b"\0" * 65536)
        response = connection.getresponse()
        page = response.read().decode()
    finally:
        connection.close()

    assert response.status == 413
    assert "Tệp quá lớn" in page and "16 MB at most" in page  # not nginx's bare English page
    assert _app_requests(stack, re.escape(f'"POST {path} ')) == before  # never reached it


def test_when_app_instances_stop_the_stack_names_them_and_nginx_carries_on(stack):
    # Last in this module: it takes the instances away.
    assert stack.stopped_service() is None
    cached = f"/products?q=kept-{uuid.uuid4().hex[:8]}"
    assert Visitor(stack.url).get(cached).header("X-Cache-Status") == "MISS"
    second, first = (
        next(s for s in stack.services if s.name == f"app instance {n}") for n in (2, 1)
    )
    second.stop()

    assert stack.stopped_service().name == "app instance 2"
    guest = Visitor(stack.url)
    for _ in range(4):  # round robin would give the stopped one every other request
        assert guest.get(f"/products?q=after-{uuid.uuid4().hex[:8]}").status == 200

    first.stop()
    assert guest.get(cached).status == 200  # the cached page still goes out
    down = guest.get(f"/products?q=down-{uuid.uuid4().hex[:8]}")
    assert down.status == 503 and down.header("Retry-After")
    assert "Tạm thời gián đoạn" in down.text and "Try again in a few minutes" in down.text
