"""Checkout benchmark: concurrent guest buyers place orders on a throw-away PostgreSQL.

    .venv/bin/python bench/checkout.py [--seconds 10] [--concurrency 8] [--max-checkouts 20000]

Everything stays on 127.0.0.1: the cluster, gunicorn and the buyers (threads, each with its
own cookies and a keep-alive http.client connection, bounded in time and in checkouts). Each
buyer loops through a whole guest checkout from two farms: a product page (for the CSRF
token), two POST /cart/add, POST /checkout step=review, POST /checkout step=place. Prints
checkouts and orders per second, p50/p95 of the whole checkout and of each request, the
orders' throughput as a share of the trivial /healthz measured in the same run, and checks in
the database that every order the buyers counted is there and that no stock went negative.
"""

from __future__ import annotations

import argparse
import html
import http.client
import math
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from _harness import TRIVIAL, CpuMeter, Measurement, Server, load, percentile, postmaster_pid

#: Every variant starts with this many units, so no buyer ever meets "sold out".
STOCK = 10_000_000
#: What each buyer types at checkout (a guest, cash on delivery, delivered to Hà Nội).
ADDRESS = {
    "name": "Nguyễn Thị Bench",
    "phone": "0987654321",
    "email": "",
    "province_code": "01",
    "commune": "00004",  # Phường Ba Đình, as the select sends it
    "street": "Số 1 Điện Biên Phủ",
    "payment_method": "cod",
}
#: The requests of one checkout, in order.
STEPS = (
    "GET /products/<slug>",
    "POST /cart/add (farm A)",
    "POST /cart/add (farm B)",
    "POST /checkout review",
    "POST /checkout place",
)
CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')
#: The review's hidden fields a browser sends back: each price and each farm's total.
REVIEWED = re.compile(r'name="((?:price|total)-\d+)"[^>]*\bvalue="(\d+)"')
PLACED = re.compile(r"^(?:https?://[^/]+)?/orders/c/[A-Za-z0-9_-]+$")


# The database ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A variant a guest can put in the cart alone, quantity 1, and check out."""

    farm_id: int
    variant_id: int
    slug: str


def _app(url: str):
    from app import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": secrets.token_hex(16)}
    )


def prepare_database(url: str) -> tuple[list[Item], int]:
    """Migrate, seed the demo, make every product orderable today.

    Returns the variants to buy and the last checkout id the seed made (0 if none).
    """
    import flask_migrate
    from sqlalchemy import select, text

    from app.clock import local_today
    from app.errors import DomainError
    from app.extensions import db
    from demo.seed import seed_demo
    from orders.services import quote
    from products.models import Variant

    app = _app(url)
    with app.app_context():
        flask_migrate.upgrade()
        start = time.perf_counter()
        seed_demo()
        db.session.commit()
        seeded = time.perf_counter() - start
        # Seasons would make the figures depend on the date (and pre-orders have a small
        # capacity): every product is sold all year here, and stock never runs out.
        db.session.execute(text("UPDATE product SET season_start = NULL, season_end = NULL"))
        db.session.execute(text("UPDATE variant SET stock = :stock"), {"stock": STOCK})
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        # What a guest can order alone at quantity 1 (minimum order quantity, the farm's
        # minimum order value, delivery to province 01), decided by the application's quote().
        items = []
        today = local_today()
        for variant in db.session.scalars(select(Variant).order_by(Variant.id)):
            try:
                quote({variant.id: 1}, province_code=ADDRESS["province_code"], today=today)
            except DomainError:
                continue
            items.append(Item(variant.product.farm_id, variant.id, variant.product.slug))
        counts = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM farm), (SELECT count(*) FROM product),"
                " (SELECT count(*) FROM variant), (SELECT coalesce(max(id), 0) FROM checkout)"
            )
        ).one()
        db.session.rollback()
        db.engine.dispose()
    farms = len({item.farm_id for item in items})
    print(
        f"Seeded the demo ({counts[0]} farms, {counts[1]} products, {counts[2]} variants,"
        f" {counts[3]} checkouts) in"
        f" {seeded:.1f} s; stock {STOCK:,} per variant; {len(items)} variants from {farms}"
        " farms can be bought alone at quantity 1",
        flush=True,
    )
    if farms < 2:
        raise RuntimeError("fewer than two farms have a variant a guest can buy alone")
    return items, counts[3]


def consistency(url: str, after: int, expected_checkouts: int, unknown: int) -> list[str]:
    """Compare the checkouts made after checkout id `after` (the benchmark's: the seed may
    place orders of its own) with what the buyers counted; the problems found (none: ok)."""
    from sqlalchemy import text

    app = _app(url)
    ours = "SELECT id FROM farm_order WHERE checkout_id > :after"
    with app.app_context():
        from app.extensions import db

        checkouts, orders, lines, odd = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM checkout WHERE id > :after),"
                " (SELECT count(*) FROM farm_order WHERE checkout_id > :after),"
                f" (SELECT count(*) FROM order_line WHERE order_id IN ({ours})),"
                " (SELECT count(*) FROM checkout c WHERE c.id > :after AND"
                "   (SELECT count(*) FROM farm_order o WHERE o.checkout_id = c.id) <> 2)"
            ),
            {"after": after},
        ).one()
        negative = db.session.scalar(text("SELECT count(*) FROM variant WHERE stock < 0"))
        # Every unit the benchmark sold came off the shelf exactly once: stock + sold = STOCK.
        unbalanced = db.session.scalar(
            text(
                "SELECT count(*) FROM variant v LEFT JOIN"
                " (SELECT variant_id, sum(quantity) AS sold FROM order_line"
                f"  WHERE order_id IN ({ours}) GROUP BY variant_id) s ON s.variant_id = v.id"
                " WHERE v.stock + coalesce(s.sold, 0) <> :stock"
            ),
            {"after": after, "stock": STOCK},
        )
        db.session.rollback()
        db.engine.dispose()
    print(
        f"Database: {checkouts} checkouts, {orders} orders, {lines} order lines placed by the"
        f" buyers (they counted {expected_checkouts} checkouts, {2 * expected_checkouts} orders"
        + (f"; {unknown} checkouts ended without an answer" if unknown else "")
        + ")"
    )
    problems = []
    if not expected_checkouts <= checkouts <= expected_checkouts + unknown:
        problems.append(f"{checkouts} checkouts in the database, {expected_checkouts} counted")
    elif checkouts != expected_checkouts:
        problems.append(
            f"{checkouts - expected_checkouts} checkouts placed whose answer the buyer never got"
        )
    if orders != 2 * checkouts:
        problems.append(f"{orders} orders for {checkouts} checkouts (expected 2 each)")
    if lines != orders:
        problems.append(f"{lines} order lines for {orders} orders (expected 1 each)")
    if odd:
        problems.append(f"{odd} checkouts without exactly two orders")
    if negative:
        problems.append(f"{negative} variants with negative stock")
    if unbalanced:
        problems.append(f"{unbalanced} variants whose stock + units sold != {STOCK:,}")
    return problems


# Where the CPU goes ------------------------------------------------------------------------


class StepFailed(Exception):
    def __init__(self, step: int, why: str):
        super().__init__(f"{STEPS[step]}: {why}")
        self.step = step
        self.why = why


@dataclass
class BuyerResult:
    checkouts: int = 0
    totals: list[float] = field(default_factory=list)
    steps: list[list[float]] = field(default_factory=lambda: [[] for _ in STEPS])
    errors: dict[str, int] = field(default_factory=dict)
    #: Place requests that got no answer: the order may or may not exist.
    unknown: int = 0


class Buyer:
    """One guest with a browser's cookie jar and a keep-alive connection."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

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
        text = response.read().decode("utf-8", "replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.getheader("Location", ""), text

    def forget(self) -> None:
        """After a failure: a new guest on a fresh connection, with an empty cart."""
        self.cookies.clear()
        self.connection.close()

    def close(self) -> None:
        self.connection.close()


def _timed(buyer: Buyer, times: list[float], *args):
    start = time.perf_counter()
    answer = buyer.request(*args)
    times.append(time.perf_counter() - start)
    return answer


def checkout_once(buyer: Buyer, first: Item, second: Item) -> list[float]:
    """One whole guest checkout; each request's seconds, or StepFailed."""
    times: list[float] = []
    status, _, page = _timed(buyer, times, "GET", f"/products/{first.slug}")
    token = CSRF.search(page)
    if status != 200 or token is None:
        raise StepFailed(0, f"HTTP {status}" if status != 200 else "no CSRF token")
    csrf = html.unescape(token.group(1))
    for step, item in ((1, first), (2, second)):
        form = {"csrf_token": csrf, "variant_id": item.variant_id, "quantity": 1}
        status, location, _ = _timed(buyer, times, "POST", "/cart/add", form)
        if status != 302 or not location.endswith("/cart"):
            raise StepFailed(step, f"HTTP {status} to {location or '-'}")
    form = {"csrf_token": csrf, **ADDRESS, "step": "review"}
    status, _, page = _timed(buyer, times, "POST", "/checkout", form)
    reviewed = dict(REVIEWED.findall(page))
    if status != 200 or len(reviewed) != 4:  # two prices, two farms' totals
        raise StepFailed(3, f"HTTP {status}, {len(reviewed)} reviewed figures")
    form = {**form, "step": "place", **reviewed}
    status, location, _ = _timed(buyer, times, "POST", "/checkout", form)
    if status != 302 or not PLACED.match(location):
        raise StepFailed(4, f"HTTP {status} to {location or '-'}")
    return times


def _buyer(port: int, pairs, seed: int, deadline: float, limit: int, out: BuyerResult) -> None:
    rng = random.Random(seed)
    buyer = Buyer(port)
    try:
        for _ in range(limit):
            start = time.perf_counter()
            if start >= deadline:
                break
            first, second = rng.choice(pairs)
            try:
                times = checkout_once(buyer, first, second)
            except StepFailed as failure:
                out.errors[str(failure)] = out.errors.get(str(failure), 0) + 1
                buyer.forget()
                continue
            except (OSError, http.client.HTTPException) as error:
                # Which request died is unknown here; a place without an answer may have
                # committed, which the consistency check allows for and reports.
                out.errors[f"connection: {type(error).__name__}"] = (
                    out.errors.get(f"connection: {type(error).__name__}", 0) + 1
                )
                out.unknown += 1
                buyer.forget()
                continue
            out.totals.append(time.perf_counter() - start)
            for step, seconds in enumerate(times):
                out.steps[step].append(seconds)
            out.checkouts += 1
    finally:
        buyer.close()


@dataclass
class CheckoutRun:
    seconds: float
    concurrency: int
    result: BuyerResult
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def checkouts_per_second(self) -> float:
        return self.result.checkouts / self.seconds if self.seconds else 0.0


def buy(
    port: int,
    items: list[Item],
    seconds: float,
    concurrency: int,
    max_checkouts: int,
    seed: int,
    meter: CpuMeter | None = None,
) -> CheckoutRun:
    """`concurrency` guests check out until the time is up or the checkout budget is spent."""
    pairs = [(a, b) for a in items for b in items if a.farm_id != b.farm_id]
    per_buyer = max(1, max_checkouts // concurrency)
    parts = [BuyerResult() for _ in range(concurrency)]
    if meter:
        meter.start()
    start = time.perf_counter()
    deadline = start + seconds
    threads = [
        threading.Thread(
            target=_buyer,
            args=(port, pairs, seed + n, deadline, per_buyer, part),
            daemon=True,
        )
        for n, part in enumerate(parts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.perf_counter() - start
    cpu = meter.stop() if meter else {}
    total = BuyerResult()
    for part in parts:
        total.checkouts += part.checkouts
        total.totals.extend(part.totals)
        for step, times in enumerate(part.steps):
            total.steps[step].extend(times)
        for why, count in part.errors.items():
            total.errors[why] = total.errors.get(why, 0) + count
        total.unknown += part.unknown
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("a buyer did not finish in time")
    return CheckoutRun(elapsed, concurrency, total, cpu)


# Report ------------------------------------------------------------------------------------


def report(trivial: Measurement, run: CheckoutRun, workers: int) -> None:
    result = run.result
    orders_per_second = 2 * run.checkouts_per_second
    requests_per_second = len(STEPS) * run.checkouts_per_second
    errors = sum(result.errors.values())

    def share(rate: float) -> str:
        return f"{rate / trivial.rps:9.3f}" if trivial.rps else f"{'-':>9}"

    header = (
        f"{'':<34} {'count':>7} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}"
        f" {'x trivial':>9}"
    )
    print(
        f"\nUnder load: {run.concurrency} concurrent guest buyers, gunicorn --workers {workers},"
        f" {run.seconds:.1f} s; x trivial: per second / /healthz requests per second"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'trivial GET /healthz':<34} {len(trivial.latencies):7d} {trivial.rps:8.1f}"
        f" {trivial.percentile(50):8.1f} {trivial.percentile(95):8.1f} {trivial.errors:6d}"
        f" {share(trivial.rps)}"
    )
    print(
        f"{f'checkouts ({len(STEPS)} requests each)':<34} {result.checkouts:7d}"
        f" {run.checkouts_per_second:8.1f} {percentile(result.totals, 50):8.1f}"
        f" {percentile(result.totals, 95):8.1f} {errors:6d} {share(run.checkouts_per_second)}"
    )
    print(
        f"{'orders placed (2 per checkout)':<34} {2 * result.checkouts:7d}"
        f" {orders_per_second:8.1f} {'':>8} {'':>8} {'':>6} {share(orders_per_second)}"
    )
    print(
        f"{'HTTP requests of the checkouts':<34} {len(STEPS) * result.checkouts:7d}"
        f" {requests_per_second:8.1f} {'':>8} {'':>8} {'':>6} {share(requests_per_second)}"
    )
    print("  each request of a successful checkout:")
    for step, times in enumerate(result.steps):
        print(
            f"  {f'{step + 1}. {STEPS[step]}':<32} {len(times):7d} {'':>8}"
            f" {percentile(times, 50):8.1f} {percentile(times, 95):8.1f}"
        )
    for why, count in sorted(result.errors.items(), key=lambda kv: -kv[1]):
        print(f"  failed: {count} × {why}")
    if run.cpu and result.checkouts:
        parts = ", ".join(
            f"{name} {seconds:.1f} s ({seconds / result.checkouts * 1000:.1f} ms per checkout)"
            for name, seconds in run.cpu.items()
        )
        print(
            f"  CPU used during the checkouts ({os.cpu_count()} CPUs x {run.seconds:.1f} s"
            f" = {(os.cpu_count() or 1) * run.seconds:.1f} s available): {parts}"
        )
    place = result.steps[-1]
    print(
        f"\norders/s: {orders_per_second:.1f} ({orders_per_second / trivial.rps:.3f} x trivial's"
        f" {trivial.rps:.1f} req/s); place p50/p95: {percentile(place, 50):.1f} /"
        f" {percentile(place, 95):.1f} ms; checkout p50/p95: {percentile(result.totals, 50):.1f}"
        f" / {percentile(result.totals, 95):.1f} ms"
        if trivial.rps
        else f"\norders/s: {orders_per_second:.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="measuring time, each part")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up time, each part")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent buyers")
    parser.add_argument("--max-checkouts", type=int, default=20_000, help="in the measured run")
    parser.add_argument("--max-requests", type=int, default=200_000, help="for /healthz")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=2026, help="the buyers' choice of variants")
    options = parser.parse_args()

    from tests.support.postgres import PostgresCluster

    workdir = tempfile.mkdtemp(prefix="nongsan-bench-")
    os.environ["NONGSAN_INSTANCE_PATH"] = os.path.join(workdir, "instance")
    cluster = server = None
    try:
        cluster = PostgresCluster.start()
        url = cluster.create_database("nongsan_bench")
        print(f"PostgreSQL on 127.0.0.1:{cluster.port}")
        items, seeded_checkouts = prepare_database(url)

        server = Server(
            url, os.environ["NONGSAN_INSTANCE_PATH"], options.workers, f"{workdir}/gunicorn.log"
        )
        server.wait_until_up()
        print(f"gunicorn --workers {options.workers} on 127.0.0.1:{server.port}")
        # One checkout first, so a broken path fails loudly before any measuring.
        probe = Buyer(server.port)
        try:
            pair = next((a, b) for a in items for b in items if a.farm_id != b.farm_id)
            try:
                times = checkout_once(probe, *pair)
            except StepFailed as failure:
                raise RuntimeError(f"{failure}; see {server.log_path}") from failure
        finally:
            probe.close()
        print(f"  one checkout: {' + '.join(f'{t * 1000:.0f}' for t in times)} ms")
        placed = 1
        print(
            f"Warming up ({options.warmup:g} s each), then {options.seconds:g} s of /healthz"
            f" and {options.seconds:g} s of checkouts with {options.concurrency} clients…",
            flush=True,
        )
        load(server.port, *TRIVIAL, options.warmup, options.concurrency, options.max_requests)
        warm = buy(
            server.port,
            items,
            options.warmup,
            options.concurrency,
            options.max_checkouts,
            options.seed + 1000,
        )
        placed += warm.result.checkouts
        for why, count in warm.result.errors.items():
            print(f"  warm-up failed: {count} × {why}")
        unknown = warm.result.unknown
        trivial = load(
            server.port, *TRIVIAL, options.seconds, options.concurrency, options.max_requests
        )
        run = buy(
            server.port,
            items,
            options.seconds,
            options.concurrency,
            options.max_checkouts,
            options.seed,
            CpuMeter(server.process.pid, postmaster_pid(cluster.data_dir)),
        )
        placed += run.result.checkouts
        unknown += run.result.unknown
        server.stop()  # finishes the requests in flight before the database is checked
        server = None
        report(trivial, run, options.workers)
        problems = consistency(url, seeded_checkouts, placed, unknown)
        print("consistency: ok" if not problems else f"consistency: {'; '.join(problems)}")
        return 1 if problems or math.isnan(percentile(run.result.totals, 50)) else 0
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
