"""Trace page benchmark: label scans through Flask's one path, beside /healthz, on PostgreSQL.

    .venv/bin/python bench/trace.py [--products 2000] [--batches 200] [--labels 10]
        [--popular-labels 1000] [--seconds 10] [--rounds 5] [--concurrency 16] [--workers 2]

Seeds a throw-away PostgreSQL with the benchmarks' catalog (seed_scale), then batches through
the application's own services: a spraying, a harvest and a packing entry each (hash-chained),
and labels issued as the farm's screen issues them; one popular batch gets many labels. Serves
the application with gunicorn (bench/_harness.py) and loads, in turns so that a busy machine
weighs on all alike: /healthz, `/T/<serial>` over the popular batch's labels, `/T/<serial>`
over one label of every batch, and the popular batch's page `/trace/<farm>/<code>`. Every
scan is counted in the database; at the end the counts must equal the scans answered.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import shutil
import sys
import tempfile
import time
from urllib.parse import urlsplit

from _harness import TRIVIAL, CpuMeter, Measurement, Server, fetch, load, postmaster_pid

TRACE_PAGE = 'data-testid="trace-page"'


def _entry(kind: str, days_ago: int, **fields):
    """A diary entry as the farm's form sends it: local time, every field as text."""
    from datetime import datetime, timedelta

    from app.clock import VIETNAM
    from traceability.services import EventInput

    when = datetime.now(VIETNAM).replace(tzinfo=None) - timedelta(days=days_ago)
    values = {key: str(value) for key, value in fields.items()}
    return EventInput(kind=kind, occurred_at=when.isoformat(timespec="minutes"), fields=values)


DIARY = (
    (
        "spraying",
        30,
        {
            "product": "Regent 800WG",
            "active_ingredient": "Fipronil",
            "dose": "1 g / 16 lít",
            "phi_days": 14,
        },
    ),
    ("harvest", 6, {"quantity": "850", "unit": "kg"}),
    ("packing", 5, {"packages": "170", "package_unit": "thùng 5 kg"}),
)


def prepare_database(url: str, options: argparse.Namespace) -> dict[str, list[str]]:
    """Migrate, seed the catalog, make batches and labels through the services; the paths."""
    import flask_migrate
    from sqlalchemy import select, text

    from app import create_app
    from app.auth.services import create_operator
    from app.extensions import db
    from bench.seeding import seed_scale
    from products.models import Product
    from traceability import labels, services

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": secrets.token_hex(16)}
    )
    paths: dict[str, list[str]] = {"popular": [], "every batch": [], "page": []}
    with app.app_context():
        flask_migrate.upgrade()
        start = time.perf_counter()
        seed_scale(max(34, options.products // 100), options.products, seed=options.seed)
        operator = create_operator("Bench Operator", "0912000001", secrets.token_hex(16))
        db.session.commit()
        seeded = time.perf_counter() - start
        start = time.perf_counter()
        products = db.session.scalars(select(Product).order_by(Product.id).limit(options.batches))
        for number, product in enumerate(products):
            batch = services.create_batch(
                product.farm, operator, product_id=product.id, code=f"B{number:05d}"
            )
            for kind, days_ago, fields in DIARY:
                services.record_event(batch, operator, _entry(kind, days_ago, **fields))
            count = options.popular_labels if number == 0 else options.labels
            run = labels.issue_labels(batch, operator, "a4-65", count)
            addresses = [
                urlsplit(labels.label_address(batch, label.serial)).path
                for label in labels.run_labels(run)
            ]
            paths["popular" if number == 0 else "every batch"].extend(
                addresses if number == 0 else addresses[:1]
            )
            if number == 0:
                paths["page"].append(f"/trace/{product.farm.slug}/{batch.code}")
            db.session.commit()
        print(
            f"Seeded {options.products:,} products in {seeded:.1f} s; {options.batches:,} batches"
            f" with 3 diary entries and labels each in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return paths


def counted_scans(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        scans = connection.scalar(text("SELECT coalesce(sum(scan_count), 0) FROM label"))
    engine.dispose()
    return int(scans)


def scan_log_footprint(url: str) -> tuple[int, int]:
    """Rows in the scan log and the bytes it takes on disk with its indexes and its
    scanners table: what a month of scans costs (README, Scaling)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE label_scan, label_scanner"))
        rows = connection.scalar(text("SELECT count(*) FROM label_scan"))
        size = connection.scalar(
            text(
                "SELECT pg_total_relation_size('label_scan')"
                " + pg_total_relation_size('label_scanner')"
            )
        )
    engine.dispose()
    return int(rows), int(size)


def report(runs: dict[str, Measurement], cpu: dict[str, dict[str, float]]) -> None:
    trivial = runs[TRIVIAL[0]]
    header = (
        f"{'endpoint':<28} {'req/s':>8} {'x /healthz':>10} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'errors':>6} {'CPU ms/req: app':>15} {'db':>5}"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    for name, m in runs.items():
        share = m.rps / trivial.rps if trivial.rps else math.nan
        requests = max(1, len(m.latencies) + m.errors)
        used = cpu[name]
        print(
            f"{name:<28} {m.rps:8.1f} {share:10.2f} {m.percentile(50):7.1f}"
            f" {m.percentile(99):7.1f} {m.errors:6d}"
            f" {used.get('gunicorn', 0) / requests * 1000:15.2f}"
            f" {used.get('PostgreSQL', 0) / requests * 1000:5.2f}"
        )


def main() -> int:
    # Every simulated phone scans from 127.0.0.1: lift the per-address scan limit.
    os.environ["SCAN_RATE_LIMIT"] = "100000000 per minute"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--labels", type=int, default=10, help="per batch")
    parser.add_argument("--popular-labels", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--seconds", type=float, default=10, help="measuring time per endpoint")
    parser.add_argument("--rounds", type=int, default=5, help="turns the endpoints take")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up time per endpoint")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    options = parser.parse_args()
    if not 1 <= options.batches <= options.products:
        parser.error("--batches must be between 1 and --products")

    from tests.support.postgres import PostgresCluster

    workdir = tempfile.mkdtemp(prefix="nongsan-bench-")
    os.environ["NONGSAN_INSTANCE_PATH"] = os.path.join(workdir, "instance")
    cluster = server = None
    try:
        cluster = PostgresCluster.start()
        url = cluster.create_database("nongsan_bench")
        paths = prepare_database(url, options)
        endpoints = {
            TRIVIAL[0]: [TRIVIAL[1]],
            "scan, one popular batch": paths["popular"],
            "scan, every batch in turn": paths["every batch"],
            # Every client scanning the same box: the label row's lock is the bottleneck
            # that counting in Redis would remove (README, Scaling).
            "scan, one label": paths["popular"][:1],
            "batch page /trace/…": paths["page"],
        }
        server = Server(
            url, os.environ["NONGSAN_INSTANCE_PATH"], options.workers, f"{workdir}/gunicorn.log"
        )
        server.wait_until_up()
        budget = max(1, options.max_requests // options.rounds)
        scans = 0
        for name, group in endpoints.items():
            status, page = fetch(server.port, group[0])
            scans += group[0].startswith("/T/")
            if status != 200 or (name != TRIVIAL[0] and TRACE_PAGE not in page):
                raise RuntimeError(f"{group[0]} answered {status}; see {server.log_path}")
            print(f"  {name:<28} {group[0]:<40} ({len(group):,} paths) HTTP {status}")
        print(
            f"gunicorn --workers {options.workers}, {options.concurrency} clients; warming up,"
            f" then {options.seconds:g} s per endpoint in {options.rounds} turns…",
            flush=True,
        )
        every = [
            load(server.port, name, group, options.warmup, options.concurrency, budget)
            for name, group in endpoints.items()
        ]
        meter = CpuMeter(server.process.pid, postmaster_pid(cluster.data_dir))
        runs = {name: Measurement(name, group[0], 0) for name, group in endpoints.items()}
        cpu: dict[str, dict[str, float]] = {name: {} for name in endpoints}
        piece = options.seconds / options.rounds
        for _ in range(options.rounds):
            for name, group in endpoints.items():
                meter.start()
                part = load(server.port, name, group, piece, options.concurrency, budget)
                for what, seconds in meter.stop().items():
                    cpu[name][what] = cpu[name].get(what, 0.0) + seconds
                every.append(part)
                run = runs[name]
                run.seconds += part.seconds
                run.latencies.extend(part.latencies)
                run.errors += part.errors
        server.stop()  # requests in flight end before the counts are read
        server = None
        report(runs, cpu)
        scans += sum(len(m.latencies) for m in every if m.path.startswith("/T/"))
        failed = sum(m.errors for m in every)
        counted = counted_scans(url)
        print(f"\nScans answered: {scans:,}; counted in the database: {counted:,}", end="")
        print(f"; {failed} failed requests" if failed else "")
        rows, size = scan_log_footprint(url)
        print(
            f"Scan log: {rows:,} rows, {size / 1024 / 1024:.1f} MiB with indexes and scanners,"
            f" {size / max(rows, 1):.0f} bytes a scan"
        )
        return 0 if counted == scans and not failed else 1
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
