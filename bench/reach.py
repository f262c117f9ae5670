"""Reach benchmark: Lighthouse on the main pages, and the trace page's first paint on a weak signal.

    .venv/bin/python bench/reach.py [--runs 3] [--only lighthouse|paint] [--report-only]
        [--lighthouse browser-checks/node_modules/.bin/lighthouse] [--pages home,trace,…]

Seeds the demo into a throw-away PostgreSQL and serves it with gunicorn (bench/_harness.py),
as `make run` would (no reverse proxy). Then, one page at a time (the machine may have two
cores):

1. Lighthouse (the npm package, Debian's Chromium as CHROME_PATH, mobile, simulated slow 4G
   and 4x CPU) on home, catalog, a search, a product, the cart (with items), the checkout,
   an order waiting for a bank transfer (its VietQR code), and the trace page as a scan
   reaches it (/T/<serial>), of a normal batch and of a recalled one. Signed-in pages get the
   demo buyer's cookie. Beside each, the page's layout shift in Chromium on DevTools'
   "Slow 4G" with its images held until the first paint ("CLS 4G"). Prints each category's
   score and FCP/LCP/CLS/TBT beside the targets (performance >= 95, accessibility 100, best
   practices 100, CLS 0), and for each miss the audits that failed and what they point at.
2. The trace page's first contentful paint in Chromium through Playwright, cold cache, under
   the DevTools protocol's network emulation: Chrome's "Slow 3G" preset (2,000 ms latency,
   500 kbit/s x 0.8) and 400 kbit/s with 400 ms; the median of --runs runs, against 2.5 s and
   1 s. Also the trace HTML's size gzipped (<= 10 KB) and the requests the first paint waits for.

Exit status 1 when a target is missed (0 with --report-only).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from _harness import ROOT, Server, fetch
from lighthouse_report import add_observed_shifts, lighthouse_table, summarise

LIGHTHOUSE = ROOT / "browser-checks" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
BUYER = "minhanh@nongsan.demo"
PRODUCT = "buoi-thanh-hong"
SEARCH = "buoi"
CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')

TRACE_HTML_GZIP_BYTES = 10 * 1024
#: Network settings for the first paint (bytes/s and ms, as Network.emulateNetworkConditions
#: takes them) and the first contentful paint each must beat, in seconds. Chrome's "Slow 3G"
#: preset is DevTools' (and puppeteer's PredefinedNetworkConditions) 500 kbit/s x 0.8 and a
#: 400 ms round trip x 5.
NETWORKS = (
    ("Slow 3G (2000 ms, 400 kbit/s)", 2000, 500 * 1000 / 8 * 0.8, 2.5),
    ("400 ms, 400 kbit/s", 400, 400 * 1000 / 8, 1.0),
)


@dataclass
class Pages:
    """What the benchmark visits: paths, and the signed-in buyer's cookie."""

    paths: dict[str, str] = field(default_factory=dict)
    signed_in: set[str] = field(default_factory=set)
    cookie: str = ""


# The database ------------------------------------------------------------------------------


def prepare_database(url: str) -> dict[str, str]:
    """Migrate, seed the demo; the serials, order token and variant the pages need."""
    import flask_migrate
    from sqlalchemy import select, text

    from app import create_app
    from app.extensions import db
    from demo.seed import seed_demo
    from orders.models import Checkout, Order
    from products.models import Product
    from traceability.models import Batch, Label

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": secrets.token_hex(16)}
    )
    with app.app_context():
        flask_migrate.upgrade()
        start = time.perf_counter()
        seed_demo()
        # Seasons would make the cart depend on the date: the product is sold all year here.
        db.session.execute(text("UPDATE product SET season_start = NULL, season_end = NULL"))
        db.session.commit()
        seeded = time.perf_counter() - start

        def serial(recalled: bool) -> str:
            return db.session.scalar(
                select(Label.serial)
                .join(Batch, Batch.id == Label.batch_id)
                .where(Batch.recalled_at.is_not(None) if recalled else Batch.recalled_at.is_(None))
                .order_by(Label.id)
                .limit(1)
            )

        # The demo's first order: paid by bank transfer and not paid yet, so it shows VietQR.
        token = db.session.scalar(
            select(Checkout.access_token)
            .join(Order, Order.checkout_id == Checkout.id)
            .where(Order.payment_method == "bank_transfer", Order.status == "awaiting_payment")
            .order_by(Checkout.id)
            .limit(1)
        )
        product = db.session.scalar(select(Product).where(Product.slug == PRODUCT))
        found = {
            "serial": serial(False),
            "recalled serial": serial(True),
            "order token": token,
            "variant": str(product.variants[0].id),
            "quantity": str(max(2, product.variants[0].min_order_qty)),
        }
        db.session.rollback()
        db.engine.dispose()
    missing = [name for name, value in found.items() if not value]
    if missing:
        raise RuntimeError(f"the demo has no {', '.join(missing)}")
    print(f"Seeded the demo in {seeded:.1f} s", flush=True)
    return found


# Signing in ---------------------------------------------------------------------------------


def sign_in_with_cart(base: str, variant: str, quantity: str) -> str:
    """Log in as the demo buyer as the form does (CSRF token included), put a product in the
    cart; the Cookie header that carries this session."""
    import requests

    from demo.seed import DEMO_PASSWORD

    browser = requests.Session()
    browser.headers["Accept-Language"] = "vi"

    def token(path: str) -> str:
        page = browser.get(base + path, timeout=30)
        page.raise_for_status()
        return CSRF.search(page.text).group(1)

    form = {"identifier": BUYER, "password": DEMO_PASSWORD, "csrf_token": token("/login")}
    answer = browser.post(base + "/login", data=form, timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"logging in as {BUYER} answered {answer.status_code}")
    form = {
        "variant_id": variant,
        "quantity": quantity,
        "csrf_token": token(f"/products/{PRODUCT}"),
    }
    answer = browser.post(base + "/cart/add", data=form, timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"adding to the cart answered {answer.status_code}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)


PAGE_NAMES = (
    "home",
    "catalog",
    "search",
    "product",
    "cart",
    "checkout",
    "order-vietqr",
    "trace",
    "trace-recalled",
)


#: What each page must show before it is measured (a redirect to the log-in page, an empty
#: cart or a search that found nothing would measure the wrong page).
MARKERS = {
    "search": "product-card",
    "cart": 'data-testid="cart-farm"',
    "checkout": 'name="csrf_token"',
    "order-vietqr": 'data-testid="vietqr-',
    "trace": 'data-testid="trace-page"',
    "trace-recalled": 'data-testid="trace-page"',
}


def check_pages(port: int, pages: Pages, names: list[str]) -> None:
    for name in names:
        headers = {"Cookie": pages.cookie} if name in pages.signed_in else {}
        status, body = fetch(port, pages.paths[name], headers)
        if status != 200 or MARKERS.get(name, "</html>") not in body:
            raise RuntimeError(
                f"{name} ({pages.paths[name]}) answered {status} without its content"
            )


def pages_to_visit(found: dict[str, str]) -> Pages:
    pages = Pages()
    pages.paths = {
        "home": "/",
        "catalog": "/products",
        "search": f"/products?q={SEARCH}",
        "product": f"/products/{PRODUCT}",
        "cart": "/cart",
        "checkout": "/checkout",
        "order-vietqr": f"/orders/c/{found['order token']}",
        "trace": f"/T/{found['serial']}",
        "trace-recalled": f"/T/{found['recalled serial']}",
    }
    pages.signed_in = {"cart", "checkout", "order-vietqr"}
    return pages


# Lighthouse -------------------------------------------------------------------------------


def chromium_flags() -> str:
    """The e2e tests' flags (they keep Chromium off the network), headless."""
    from tests.e2e.conftest import CHROMIUM_ARGS

    return " ".join(["--headless=new", *CHROMIUM_ARGS])


def run_lighthouse(lighthouse: str, url: str, headers: dict[str, str], out: str) -> dict:
    command = [
        lighthouse,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
        "--form-factor=mobile",
        "--throttling-method=simulate",
        f"--chrome-flags={chromium_flags()}",
        f"--extra-headers={json.dumps(headers)}",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not os.path.exists(out):
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr.strip()[-600:]}")
    with open(out, encoding="utf-8") as file:
        report = json.load(file)
    # A lost cookie sends the checkout back to the cart: that would measure the wrong page.
    if report.get("finalDisplayedUrl", url) != url:
        raise RuntimeError(f"lighthouse on {url} ended at {report['finalDisplayedUrl']}")
    return report


# The trace page's first paint --------------------------------------------------------------

#: The first contentful paint (ms since navigation), and the requests it waited for: the
#: document and every render-blocking resource (Resource Timing's renderBlockingStatus).
#: (A function, not a polled string: the page's CSP forbids evaluating strings.)
PAINT_SCRIPT = """() => new Promise(resolve => {
    new PerformanceObserver((entries, observer) => {
        const paint = entries.getEntriesByName('first-contentful-paint')[0];
        if (!paint) return;
        observer.disconnect();
        resolve({
            fcp: paint.startTime,
            blocking: performance.getEntriesByType('resource')
                .filter(r => r.renderBlockingStatus === 'blocking').map(r => r.name),
        });
    }).observe({type: 'paint', buffered: true});
})"""


@contextmanager
def chromium():
    """Debian's Chromium through Playwright, with the e2e tests' flags."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def cold_tab(browser, viewport: dict, latency: float, throughput: float, headers=None):
    """A tab in a fresh context (no cache, cookie or open connection) on an emulated network."""
    context = browser.new_context(viewport=viewport, locale="vi-VN", extra_http_headers=headers)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency,
            "downloadThroughput": throughput,
            "uploadThroughput": throughput,
        },
    )
    return context, page


def first_paints(base: str, path: str, runs: int) -> list[tuple[str, list[float], list[str]]]:
    """Per network setting: each run's FCP in seconds and the render-blocking requests."""
    from tests.e2e.conftest import PHONE

    results = []
    with chromium() as browser:
        for name, latency, throughput, _ in NETWORKS:
            paints, blocking = [], []
            for _ in range(runs):
                context, page = cold_tab(browser, PHONE, latency, throughput)
                page.goto(base + path, wait_until="commit", timeout=60_000)
                seen = page.evaluate(PAINT_SCRIPT)
                paints.append(seen["fcp"] / 1000)
                blocking = [urlsplit(url).path for url in seen["blocking"]]
                context.close()
            results.append((name, paints, blocking))
    return results


#: Each layout shift and the elements that moved, as tag#id.class paths (Lighthouse 12.2's
#: own layout-shifts audit fails on Debian's Chromium: "RootCauses gatherer").
SHIFTS_SCRIPT = """() => new Promise(resolve => {
    const describe = node => {
        const parts = [];
        for (let n = node && node.nodeType === 3 ? node.parentElement : node;
             n && n.nodeType === 1 && parts.length < 3; n = n.parentElement) {
            parts.unshift(n.tagName.toLowerCase() + (n.id ? '#' + n.id : '')
                + [...n.classList].map(c => '.' + c).join(''));
        }
        return parts.join(' > ') || '(removed)';
    };
    const shifts = [];
    new PerformanceObserver(list => {
        for (const e of list.getEntries()) {
            if (e.hadRecentInput) continue;
            shifts.push({value: e.value, moved: e.sources.map(s => describe(s.node))});
        }
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => resolve(shifts), 1500);
})"""
#: DevTools' "Slow 4G" preset, near Lighthouse's simulated mobile network.
SLOW_4G = (150 * 3.75, 1.6 * 1000 * 1000 / 8 * 0.9)
#: Lighthouse's mobile screen.
LIGHTHOUSE_SCREEN = {"width": 412, "height": 823}


def layout_shifts(base: str, path: str, headers: dict[str, str]) -> list[tuple[float, list[str]]]:
    """The page's layout shifts in Chromium on a slow 4G network when its images arrive only
    after the first paint (a weak signal's worst case), and what moved in each."""
    with chromium() as browser:
        context, page = cold_tab(browser, LIGHTHOUSE_SCREEN, *SLOW_4G, headers)
        held, painted = [], []

        def hold_images(route):
            if route.request.resource_type == "image" and not painted:
                held.append(route)
            else:
                route.continue_()

        page.route("**/*", hold_images)
        page.goto(base + path, wait_until="commit", timeout=60_000)
        page.evaluate(PAINT_SCRIPT)
        painted.append(True)
        for route in held:
            route.continue_()
        page.wait_for_load_state("load", timeout=60_000)
        shifts = page.evaluate(SHIFTS_SCRIPT)
        context.close()
    return [(shift["value"], shift["moved"]) for shift in shifts]


def trace_html_size(port: int, path: str) -> tuple[int, int, bool]:
    """The trace page's HTML: bytes as sent to a browser asking for gzip, bytes gzipped
    (by us at level 6 if the server did not), and whether the server compressed it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "GET", path, headers={"Accept-Language": "vi", "Accept-Encoding": "gzip"}
        )
        response = connection.getresponse()
        body = response.read()
        encoding = response.getheader("Content-Encoding", "")
    finally:
        connection.close()
    if encoding == "gzip":
        return len(gzip.decompress(body)), len(body), True
    return len(body), len(gzip.compress(body, 6)), False


def paint_table(paints, size: tuple[int, int, bool]) -> list[str]:
    raw, zipped, by_server = size
    misses = []
    print("\nTrace page /T/<serial>: first contentful paint, cold cache, median of the runs")
    header = f"{'network':<30} {'median s':>8} {'target s':>8} {'runs s':<22} verdict"
    print(f"{header}\n{'-' * len(header)}")
    for (name, runs, _blocking), (_, _, _, target) in zip(paints, NETWORKS, strict=True):
        median = statistics.median(runs)
        verdict = "ok" if median < target else f"MISS: {median:.2f} >= {target:g}"
        if median >= target:
            misses.append(f"trace FCP on {name}")
        shown = " ".join(f"{run:.2f}" for run in runs)
        print(f"{name:<30} {median:8.2f} {'< ' + format(target, 'g'):>8} {shown:<22} {verdict}")
    blocking = paints[0][2] if paints else []
    print(
        f"Requests before the first paint: {1 + len(blocking)} (the HTML"
        + "".join(f", {path}" for path in blocking)
        + ")"
    )
    over = zipped > TRACE_HTML_GZIP_BYTES
    print(
        f"Trace HTML: {raw:,} bytes, {zipped:,} bytes gzipped"
        + ("" if by_server else " (by this script: the server sent it uncompressed)")
        + f"; target <= {TRACE_HTML_GZIP_BYTES:,}: {'MISS' if over else 'ok'}"
    )
    if over:
        misses.append("trace HTML gzip size")
    return misses


# Main --------------------------------------------------------------------------------------


def main() -> int:
    # Every run scans from 127.0.0.1: lift the per-address scan limit.
    os.environ["SCAN_RATE_LIMIT"] = "100000000 per minute"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lighthouse",
        default=os.environ.get("LIGHTHOUSE", str(LIGHTHOUSE)),
        help="the lighthouse command (default: $LIGHTHOUSE or browser-checks' copy)",
    )
    parser.add_argument("--only", choices=("lighthouse", "paint"), help="run one part")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="first-paint runs per network")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--reports", help="keep Lighthouse's JSON reports in this folder")
    parser.add_argument(
        "--report-only", action="store_true", help="exit 0 even when a target is missed"
    )
    options = parser.parse_args()
    chosen = options.pages.split(",") if options.pages else list(PAGE_NAMES)
    unknown = set(chosen) - set(PAGE_NAMES)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}; known: {', '.join(PAGE_NAMES)}")
    if options.only != "paint" and not shutil.which(options.lighthouse):
        parser.error(
            f"no lighthouse at {options.lighthouse}: run `npm ci --prefix browser-checks`"
            " (or point --lighthouse / $LIGHTHOUSE at one)"
        )

    if options.reports:
        os.makedirs(options.reports, exist_ok=True)
    from tests.support.postgres import PostgresCluster

    workdir = tempfile.mkdtemp(prefix="nongsan-reach-")
    os.environ["NONGSAN_INSTANCE_PATH"] = os.path.join(workdir, "instance")
    cluster = server = None
    started = time.perf_counter()
    try:
        cluster = PostgresCluster.start()
        url = cluster.create_database("nongsan_reach")
        found = prepare_database(url)
        server = Server(
            url, os.environ["NONGSAN_INSTANCE_PATH"], options.workers, f"{workdir}/gunicorn.log"
        )
        server.wait_until_up()
        base = f"http://127.0.0.1:{server.port}"
        pages = pages_to_visit(found)
        pages.cookie = sign_in_with_cart(base, found["variant"], found["quantity"])
        check_pages(server.port, pages, chosen)
        misses: list[str] = []
        if options.only != "paint":
            audits = []
            for name in chosen:
                headers = {"Accept-Language": "vi"}
                if name in pages.signed_in:
                    headers["Cookie"] = pages.cookie
                out = os.path.join(options.reports or workdir, f"lighthouse-{name}.json")
                print(f"  lighthouse {name:<17} {pages.paths[name]}", flush=True)
                report = run_lighthouse(options.lighthouse, base + pages.paths[name], headers, out)
                audit = summarise(name, report)
                add_observed_shifts(audit, layout_shifts(base, pages.paths[name], headers))
                audits.append(audit)
            lighthouse_table(audits)
            misses += [f"{audit.page}: {miss}" for audit in audits for miss in audit.misses]
        if options.only != "lighthouse":
            trace = pages.paths["trace"]
            print(f"\n  first paint of {trace}, {options.runs} runs per network…", flush=True)
            paints = first_paints(base, trace, options.runs)
            misses += paint_table(paints, trace_html_size(server.port, trace))
        print(f"\n{len(misses)} targets missed; {time.perf_counter() - started:.0f} s in all")
        return 1 if misses and not options.report_only else 0
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
