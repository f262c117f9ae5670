"""Dashboard benchmark: a province-scale history on PostgreSQL, the refresh, the dashboard's
p95 beside /healthz, and its figures beside direct counts.

    .venv/bin/python bench/dashboard.py                       # full size: 110,000 farms,
        # 51,000 products (1,500 a province), 1,000,000 orders, 5,000,000 scans
    .venv/bin/python bench/dashboard.py --orders 100000 --scans 500000 --farms 11000
    # seed once, measure many times:
    .venv/bin/python bench/dashboard.py --datadir /var/tmp/nongsan-dashboard --prepare
    .venv/bin/python bench/dashboard.py --datadir /var/tmp/nongsan-dashboard
    .venv/bin/python bench/dashboard.py --database postgresql+psycopg://…/db [--prepare]

Seeds (bench/dashboard_seeding.py) unless the database holds orders already, runs
VACUUM ANALYZE, rebuilds the figures as the job does (timed), compares a sample of the
dashboard's figures with direct SQL counts (bench/dashboard_counts.py), then serves the
application with gunicorn, signs two operators in through the log-in form (country-wide, and
province 31's) and loads, in turns, /healthz and the dashboard of several scopes and periods.
Exit status 1 when a p95 is 100 ms or more, a request failed, or a figure differs.
"""

from __future__ import annotations

import argparse
import html
import math
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from _harness import TRIVIAL, Measurement, Server, free_port, load

TARGET_P95_MS = 100.0
DATABASE_NAME = "nongsan_bench"
#: The benchmark's operators: a throw-away database's, so the password is written here.
PASSWORD = "bench-dashboard-2026"
COUNTRY_OPERATOR = ("Bench Country Operator", "0912000001", None)
PROVINCE_OPERATOR = ("Bench Province Operator", "0912000031", "31")
PERIODS = ("month", "quarter", "year", "range")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# The cluster -------------------------------------------------------------------------------


def start_cluster(datadir: str | None):
    """A throw-away cluster; or, with `datadir`, the one kept there (made on first use)."""
    from stack.postgres import _unprivileged_user
    from tests.support.postgres import PostgresCluster, find_postgres_bin

    if datadir is None:
        return PostgresCluster.start()
    directory = os.path.abspath(datadir)
    run_as = _unprivileged_user() if os.geteuid() == 0 else None
    cluster = PostgresCluster(find_postgres_bin(), directory, free_port(), run_as)
    fresh = not os.path.exists(os.path.join(directory, "data", "PG_VERSION"))
    if fresh:
        os.makedirs(directory, exist_ok=True)
        if run_as:
            import pwd

            entry = pwd.getpwnam(run_as)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        cluster._initdb()
    cluster._pg_ctl_start()
    if fresh:
        cluster.create_database(DATABASE_NAME)
    return cluster


def stop_cluster(cluster, keep: bool) -> None:
    if not keep:
        cluster.stop()
        return
    cluster._run("pg_ctl", "-D", cluster.data_dir, "-m", "fast", "-w", "stop")
    user = f"runuser -u {cluster.run_as} -- " if cluster.run_as else ""
    print(
        f"\nThe cluster is kept in {cluster.directory}; run this benchmark with --datadir "
        f"{cluster.directory} to use it again, or start it by hand:\n  {user}"
        f"{cluster.bin_dir}/pg_ctl -D {cluster.data_dir} -l {cluster.directory}/server.log "
        f'-o "-c listen_addresses=127.0.0.1 -c port=5433 '
        f'-c unix_socket_directories={cluster.directory}" start\n'
        f"  (then postgresql+psycopg://postgres@127.0.0.1:5433/{DATABASE_NAME})"
    )


# The database ------------------------------------------------------------------------------


def make_app(url: str):
    from app import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": secrets.token_hex(16)}
    )


def prepare_database(app, scale) -> None:
    """Migrate, make the operators; seed (timed) unless orders are there already."""
    import flask_migrate
    from sqlalchemy import func, select, text

    from app.auth.services import create_operator
    from app.extensions import db
    from bench.dashboard_seeding import seed_dashboard
    from orders.models import Order

    with app.app_context():
        flask_migrate.upgrade()
        for name, identifier, province in (COUNTRY_OPERATOR, PROVINCE_OPERATOR):
            create_operator(name, identifier, PASSWORD, province)
        db.session.commit()
        orders = db.session.scalar(select(func.count(Order.id)))
        if orders:
            print(f"The database holds {orders:,} orders: not seeded again", flush=True)
            return
        print(f"Seeding {scale}…", flush=True)
        start = time.perf_counter()
        timings = seed_dashboard(scale)
        print(f"Seeded in {time.perf_counter() - start:.1f} s", flush=True)
        start = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            size = connection.scalar(
                text("SELECT pg_size_pretty(pg_database_size(current_database()))")
            )
        timings["VACUUM ANALYZE"] = time.perf_counter() - start
        print(f"VACUUM ANALYZE in {timings['VACUUM ANALYZE']:.1f} s; database {size}")
        db.engine.dispose()


def record_counts(app) -> dict[str, int]:
    from sqlalchemy import text

    from app.extensions import db

    tables = (
        "farm",
        "product",
        "checkout",
        "farm_order",
        "order_line",
        "order_event",
        "batch",
        "batch_allocation",
        "label",
        "label_scan",
    )
    with app.app_context():
        counts = {
            table: db.session.scalar(text(f"SELECT count(*) FROM {table}")) for table in tables
        }
        db.session.rollback()
    return counts


@dataclass
class Refreshed:
    whole_seconds: float
    recent_seconds: float
    vacuum_seconds: float
    daily_rows: int
    period_rows: int
    megabytes: float


def refresh(app) -> Refreshed:
    """The refresh as the jobs run it: the nightly whole rebuild, then the ten-minute one
    (the days since the last refresh); their seconds, the rows and the tables' size."""
    from sqlalchemy import text

    from app.extensions import db
    from dashboard.jobs import rebuild_dashboard_figures, refresh_dashboard_figures

    with app.app_context():
        start = time.perf_counter()
        rebuild_dashboard_figures.call_local()
        whole = time.perf_counter() - start
        start = time.perf_counter()
        refresh_dashboard_figures.call_local()
        recent = time.perf_counter() - start
        # What autovacuum does after a rebuild, done before measuring rather than during it.
        start = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(
                text("VACUUM ANALYZE dashboard_daily_figure, dashboard_period_figure")
            )
        vacuumed = time.perf_counter() - start
        sizes = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM dashboard_daily_figure),"
                " (SELECT count(*) FROM dashboard_period_figure),"
                " pg_total_relation_size('dashboard_daily_figure')"
                " + pg_total_relation_size('dashboard_period_figure')"
            )
        ).one()
        db.session.rollback()
    return Refreshed(whole, recent, vacuumed, sizes[0], sizes[1], sizes[2] / 1e6)


def province_order_counts(app) -> list[tuple[str, int]]:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT f.province_code, count(*) FROM farm_order o JOIN farm f"
                " ON f.id = o.farm_id GROUP BY f.province_code ORDER BY 2 DESC, 1"
            )
        ).all()
        db.session.rollback()
    return [(code, int(n)) for code, n in rows]


def check_sample(app, largest: str, smallest: str) -> bool:
    """The dashboard's figures beside direct counts, for a sample of scopes and periods."""
    from app.auth.models import User
    from app.auth.services import find_user_by_identifier
    from app.clock import local_today
    from bench.dashboard_counts import Sample, compare

    ok = True
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "vi"}):
        today = local_today()
        last_month = today.replace(day=1) - timedelta(days=1)
        half_year_ago = (today.replace(day=1) - timedelta(days=170)).replace(day=15)

        def operator(identifier: str) -> User:
            return find_user_by_identifier(identifier)

        country, own = operator(COUNTRY_OPERATOR[1]), operator(PROVINCE_OPERATOR[1])
        samples = [
            Sample("country, last month", country, None, "month", last_month),
            Sample("country, this year", country, None, "year", today),
            Sample(
                f"province {largest} (most orders), this month", country, largest, "month", today
            ),
            Sample(f"province {largest}, last month", country, largest, "month", last_month),
            Sample(
                f"province {smallest} (fewest orders), a month half a year ago",
                country,
                smallest,
                "month",
                half_year_ago,
            ),
            Sample(
                "province 31, its operator's own view, last month", own, None, "month", last_month
            ),
        ]
        print("\nFigures beside direct SQL counts:")
        for sample in samples:
            same, lines = compare(sample, today)
            ok &= same
            print(
                f"  {sample.label} ({sample.kind} of {sample.on}): "
                f"{'equal' if same else 'DIFFERENT'}"
            )
            print("\n".join(lines))
    return ok


# Signing in and measuring ------------------------------------------------------------------


def sign_in(port: int, identifier: str) -> dict[str, str]:
    """A real log-in through the form (CSRF token included); the session's Cookie header."""
    import http.client

    cookies: dict[str, str] = {}

    def request(method: str, path: str, body: str | None = None):
        headers = {"Accept-Language": "vi"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.partition(";")[0].strip().partition("=")
                cookies[name] = value
            return response.status, page
        finally:
            connection.close()

    status, page = request("GET", "/login")
    token = CSRF.search(page)
    if status != 200 or token is None:
        raise RuntimeError(f"/login answered {status} without a CSRF token")
    form = {
        "csrf_token": html.unescape(token.group(1)),
        "identifier": identifier,
        "password": PASSWORD,
    }
    status, _ = request("POST", "/login", urlencode(form))
    if status != 302:
        raise RuntimeError(f"signing in as {identifier} answered {status}, not a redirect")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


@dataclass
class Endpoint:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    #: Only the dashboard and the public figures have the 100 ms target.
    judged: bool = True


def endpoints(largest: str, smallest: str, country: dict, own: dict, today: date) -> list:
    periods = {
        "month": {"period": "month", "on": today.isoformat()},
        "quarter": {"period": "quarter", "on": today.isoformat()},
        "year": {"period": "year", "on": today.isoformat()},
        "range": {
            "period": "range",
            "from": (today - timedelta(days=89)).isoformat(),
            "to": today.isoformat(),
        },
    }
    scopes = (
        ("country", {}, country),
        (f"province {largest} (largest)", {"province": largest}, country),
        (f"province {smallest} (small)", {"province": smallest}, country),
        ("own view (31's operator)", {}, own),
    )
    found = [Endpoint(TRIVIAL[0], TRIVIAL[1], judged=False)]
    for scope, args, cookie in scopes:
        for kind in PERIODS:
            query = urlencode({**args, **periods[kind]})
            found.append(Endpoint(f"{scope}, {kind}", f"/admin/dashboard?{query}", cookie))
    found.append(Endpoint("public /figures", "/figures"))
    found.append(Endpoint("public /figures?province=31", "/figures?province=31"))
    return found


def measure(port: int, rows: list[Endpoint], options) -> tuple[dict[str, Measurement], dict]:
    """Each row once alone (its status must be 200; its time is the "alone" column), then
    under load in turns."""
    from _harness import fetch

    alone: dict[str, float] = {}
    for row in rows:
        start = time.perf_counter()
        status, _page = fetch(port, row.path, row.headers)
        alone[row.name] = (time.perf_counter() - start) * 1000
        if status != 200:
            raise RuntimeError(f"{row.path} answered {status}")
    budget = max(1, options.max_requests // options.rounds)
    print(
        f"\ngunicorn --workers {options.workers}, {options.concurrency} clients; warming up "
        f"{options.warmup:g} s each, then {options.seconds:g} s per row in {options.rounds} "
        "turns…",
        flush=True,
    )
    for row in rows:
        load(
            port,
            row.name,
            row.path,
            options.warmup,
            options.concurrency,
            budget,
            row.headers,
            options.timeout,
        )
    runs = {row.name: Measurement(row.name, row.path, 0) for row in rows}
    piece = options.seconds / options.rounds
    for _ in range(options.rounds):
        for row in rows:
            part = load(
                port,
                row.name,
                row.path,
                piece,
                options.concurrency,
                budget,
                row.headers,
                options.timeout,
            )
            run = runs[row.name]
            run.seconds += part.seconds
            run.latencies.extend(part.latencies)
            run.errors += part.errors
    return runs, alone


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def report(rows: list[Endpoint], runs: dict[str, Measurement], alone: dict[str, float]) -> bool:
    trivial = runs[TRIVIAL[0]]
    header = (
        f"{'row':<40} {'alone ms':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'x /healthz':>10} {'errors':>6}  p95 < {TARGET_P95_MS:.0f} ms"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    ok = True
    for row in rows:
        m = runs[row.name]
        share = m.rps / trivial.rps if trivial.rps else math.nan
        p95 = m.percentile(95)
        met = p95 < TARGET_P95_MS and not m.errors
        verdict = ("met" if met else "NOT MET") if row.judged else "(yardstick)"
        if row.judged:
            ok &= met
        print(
            f"{row.name:<40} {alone[row.name]:8.1f} {m.rps:7.1f} {_ms(m.percentile(50)):>8}"
            f" {_ms(p95):>8} {share:10.2f} {m.errors:6d}  {verdict}"
        )
    judged = [runs[row.name] for row in rows if row.judged]
    answered = [m for m in judged if m.latencies]
    worst = max(answered, key=lambda m: m.percentile(95)) if answered else None
    silent = len(judged) - len(answered)
    print(
        f"\nOVERALL p95 < {TARGET_P95_MS:.0f} ms: {'met' if ok else 'NOT MET'}"
        + (f" (worst {worst.percentile(95):.1f} ms, {worst.name})" if worst else "")
        + (
            f"; {silent} row(s) answered nothing within the clients' timeout"
            " (a worker still busy with one slows the rows after it)"
            if silent
            else ""
        )
    )
    return ok


def main() -> int:
    from bench.dashboard_seeding import Scale

    defaults = Scale()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farms", type=int, default=defaults.farms)
    parser.add_argument("--products", type=int, default=defaults.products)
    parser.add_argument("--orders", type=int, default=defaults.orders)
    parser.add_argument("--scans", type=int, default=defaults.scans)
    parser.add_argument("--batches", type=int, default=defaults.batches)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--seconds", type=float, default=4, help="measuring time per row")
    parser.add_argument("--rounds", type=int, default=2, help="turns the rows take")
    parser.add_argument("--warmup", type=float, default=1, help="warm-up time per row")
    parser.add_argument("--concurrency", type=int, default=2, help="clients at once")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds a client waits for an answer"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", help="an existing PostgreSQL database (URL)")
    where.add_argument(
        "--datadir",
        help="keep the cluster in this folder (made on first use) and reuse it next time",
    )
    parser.add_argument(
        "--prepare", action="store_true", help="migrate and seed (unless seeded), then stop"
    )
    parser.add_argument("--skip-check", action="store_true", help="no figures beside counts")
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="measure the summary as the last refresh left it (when only reading changed)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="measure only the rows whose name holds TEXT (repeatable), beside /healthz",
    )
    options = parser.parse_args()
    scale = Scale(
        options.farms,
        options.products,
        options.orders,
        options.scans,
        options.batches,
        options.seed,
    )

    workdir = tempfile.mkdtemp(prefix="nongsan-bench-")
    os.environ["NONGSAN_INSTANCE_PATH"] = os.path.join(workdir, "instance")
    cluster = server = None
    try:
        if options.database:
            url = options.database
        else:
            cluster = start_cluster(options.datadir)
            url = cluster.url(DATABASE_NAME)
            if options.datadir is None:
                cluster.create_database(DATABASE_NAME)
            print(f"PostgreSQL on 127.0.0.1:{cluster.port}, {url}", flush=True)
        app = make_app(url)
        prepare_database(app, scale)
        counts = record_counts(app)
        print("Records: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        if options.prepare:
            return 0

        if options.no_refresh:
            print("\nRefresh skipped (--no-refresh): the summary as the last refresh left it")
        else:
            done = refresh(app)
            print(
                f"\nRefresh, whole (the nightly job): {done.whole_seconds:.1f} s; the ten-minute"
                f" job after it (the days since): {done.recent_seconds:.1f} s; VACUUM ANALYZE of"
                f" the summary {done.vacuum_seconds:.1f} s;"
                f" {done.daily_rows:,} daily and {done.period_rows:,} period rows,"
                f" {done.megabytes:,.0f} MB with their indexes"
            )
        by_province = province_order_counts(app)
        largest, smallest = by_province[0][0], by_province[-1][0]
        print(
            f"Orders by the farm's province: most {largest} ({by_province[0][1]:,}), "
            f"fewest {smallest} ({by_province[-1][1]:,})"
        )
        figures_ok = options.skip_check or check_sample(app, largest, smallest)

        from app.clock import local_today

        server = Server(
            url, os.environ["NONGSAN_INSTANCE_PATH"], options.workers, f"{workdir}/gunicorn.log"
        )
        server.wait_until_up()
        country = sign_in(server.port, COUNTRY_OPERATOR[1])
        own = sign_in(server.port, PROVINCE_OPERATOR[1])
        rows_measured = endpoints(largest, smallest, country, own, local_today())
        if options.only:
            rows_measured = [
                row
                for row in rows_measured
                if row.name == TRIVIAL[0] or any(part in row.name for part in options.only)
            ]
        runs, alone = measure(server.port, rows_measured, options)
        latency_ok = report(rows_measured, runs, alone)
        if not options.skip_check:
            print(f"Figures equal the direct counts: {'yes' if figures_ok else 'NO'}")
        return 0 if latency_ok and figures_ok else 1
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            stop_cluster(cluster, keep=options.datadir is not None)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
