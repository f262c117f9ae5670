"""A flash sale over HTTP against the server `make run` starts: 40 guests, 10 boxes.

The server is `nongsan run` (gunicorn, several workers and threads) on a free loopback port,
with a database of its own, migrated, holding one product with 10 boxes. Each guest has its
own cookie jar and goes through the pages as a browser does: product page (CSRF token), cart,
checkout review, place. On SQLite and on PostgreSQL: exactly 10 orders, no stock left, every
other guest reads that the product is sold out, and no answer is a 5xx.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from orders.models import Order
from products.models import Variant
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

ROOT = Path(__file__).resolve().parents[2]
BUYERS = 40
BOXES = 10
CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')
#: What the review shows and the browser sends back: each price and each farm's total.
REVIEWED = re.compile(r'name="((?:price|total)-\d+)"[^>]*\bvalue="(\d+)"')
PLACED = re.compile(r"^(?:https?://[^/]+)?/orders/c/[A-Za-z0-9_-]+$")
SOLD_OUT = "hết hàng"
ADDRESS = {
    "name": "Khách mua nhanh",
    "phone": "0912 345 678",
    "email": "",
    "province_code": "01",
    "commune": "00004",  # Phường Ba Đình
    "street": "Số 1 Điện Biên Phủ",
    "payment_method": "cod",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Guest:
    """A browser: its own cookie jar and connection; every answer's status is kept."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=55)
        self.cookies: dict[str, str] = {}
        self.statuses: list[int] = []

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Accept-Language": "vi"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = html.unescape(response.read().decode("utf-8", "replace"))
        for cookie in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        self.statuses.append(response.status)
        return response.status, response.getheader("Location", ""), text


def _outcome(page: str) -> str:
    return "sold out" if SOLD_OUT in page.lower() else "unclear: " + page[:300]


def buy_one_box(guest: Guest, slug: str, variant_id: int, start: threading.Barrier) -> str:
    status, _, page = guest.request("GET", f"/products/{slug}")
    token = CSRF.search(page)
    assert status == 200 and token, status
    csrf = token.group(1)
    status, location, _ = guest.request(
        "POST", "/cart/add", {"csrf_token": csrf, "variant_id": variant_id, "quantity": 1}
    )
    assert status == 302 and location.endswith("/cart"), (status, location)
    start.wait()  # every guest has the box in the cart: now they all check out at once
    review = {"csrf_token": csrf, **ADDRESS, "step": "review"}
    status, _, page = guest.request("POST", "/checkout", review)
    prices = dict(REVIEWED.findall(page))
    if status != 200 or not prices:
        return _outcome(page)
    status, location, page = guest.request(
        "POST", "/checkout", {**review, **prices, "step": "place"}
    )
    if status == 302 and PLACED.match(location):
        return "bought"
    return _outcome(page)


@pytest.fixture
def flash_sale_server(backend, database_factory, tmp_path):
    """`nongsan run` as `make run` starts it, on a migrated database with 10 boxes."""
    url = database_factory(backend, f"flash_sale_http_{secrets.token_hex(4)}")
    app = make_test_app(url, str(tmp_path / "seeding"))
    upgrade_schema(app)
    with app.app_context():
        product = make_product(deliver_everywhere(make_farm()), name="Vải thiều flash sale")
        variant = product.variants[0]
        variant.stock = BOXES
        db.session.commit()
        sale = (product.slug, variant.id)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MAIL_SERVER"}}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        NONGSAN_ENV="development",
        NONGSAN_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(server, port, log_path)
        yield app, port, sale
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        with app.app_context():
            db.engine.dispose()


def _wait_until_up(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log_path.read_text()[-2000:]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    pytest.fail("the server did not answer within 30 s:\n" + log_path.read_text()[-2000:])


def test_forty_guests_over_http_get_exactly_the_ten_boxes(flash_sale_server):
    # Given the server `make run` starts, and 40 guests with the box in their cart
    app, port, (slug, variant_id) = flash_sale_server
    start = threading.Barrier(BUYERS, timeout=40)
    guests = [Guest(port) for _ in range(BUYERS)]
    outcomes: list[str] = [""] * BUYERS

    def shop(n: int) -> None:
        try:
            outcomes[n] = buy_one_box(guests[n], slug, variant_id, start)
        except Exception as error:  # noqa: BLE001 - reported with the others below
            start.abort()
            outcomes[n] = f"failed: {error!r}"
        finally:
            guests[n].connection.close()

    # When they all place their order at once
    threads = [threading.Thread(target=shop, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # Then ten bought a box, the thirty others read it is sold out, and nothing failed
    statuses = sorted({status for guest in guests for status in guest.statuses})
    assert all(status < 500 for status in statuses), statuses
    assert outcomes.count("bought") == BOXES, outcomes
    assert outcomes.count("sold out") == BUYERS - BOXES, outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == BOXES
        assert db.session.get(Variant, variant_id).stock == 0
    assert ledger_mismatches_in(app) == []
