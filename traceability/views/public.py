"""The public trace page: what a consumer sees when scanning a box's label. No login.

It must be fast on a cheap phone and under load: for visitors who are not signed in, the
batch's part of the page is rendered once per version of the batch (its last hash, number
of events and status) and language, and kept `PAGE_CACHE_SECONDS`; each scan then only
counts itself (one statement, traceability/scans.py) and fills in the label's own lines.
`/T/<serial>` is never cached by a browser or proxy (each scan is counted); the batch's
page without a label, `/trace/<farm>/<code>`, is the same for every visitor and says so
(app/http_cache.py).
"""

from __future__ import annotations

from functools import lru_cache

from flask import abort, current_app, jsonify, render_template, request, url_for
from limits import RateLimitItem, parse_many
from markupsafe import Markup

from app.clock import local_today
from app.db import utcnow
from app.extensions import client_address, db, limiter
from app.http_cache import not_stored, public_page
from app.page_cache import render_shared
from traceability import epcis, scans
from traceability.models import Batch
from traceability.services import history
from traceability.trace_page import batch_trace, batch_version, load_batch
from traceability.views import bp
from traceability.views.genuineness import genuineness_html


def _trace_response(batch_id: int, version: tuple, scan: scans.ScanResult | None = None):
    """The page of a batch. A visitor's copy is shared per batch version and language
    (app/page_cache.py), so the batch itself is loaded only when the page is rendered; a
    scan's own lines are filled in on every request."""

    def context() -> dict:
        trace = batch_trace(batch_id, local_today())
        # Switching language returns to the batch's page, whichever address led here: coming
        # back to a label's address would count the label as scanned once more.
        return {"trace": trace, "language_next": trace_url(trace.batch)}

    threshold = current_app.config["LABEL_SCAN_WARNING_THRESHOLD"]
    page, state = render_shared(
        "trace\n" + "\n".join(map(str, (batch_id, *version))),
        "traceability/trace.html",
        context,
        {"genuineness": genuineness_html(scan, threshold) if scan else Markup()},
    )
    response = current_app.make_response(page)
    if state:
        response.headers["X-Page-Cache"] = state
    return response


def _scanned(serial: str, belongs=lambda batch: True):
    """Count the scan; a serial that was never issued, or that came with another batch's
    GTIN and lot, gets the "not genuine" page. Never stored by a browser or a proxy: every
    scan must reach the server to be counted."""
    if not _within_scan_limit(current_app.config, client_address()):
        abort(429)
    agent = request.headers.get("User-Agent", "")
    scanner = scans.scanner_fingerprint(
        current_app.config["SECRET_KEY"], client_address(), agent, utcnow()
    )
    scan = scans.record_scan(serial, agent, scanner)
    db.session.commit()
    batch = scan.batch
    if batch is None or not belongs(batch):
        page = render_template(
            "traceability/not_genuine.html", serial=scan.serial, elsewhere=batch is not None
        )
        return not_stored(current_app.make_response((page, 404)))
    return not_stored(_trace_response(batch.id, batch.version, scan))


@lru_cache(maxsize=8)
def _parsed_limits(text: str) -> list[RateLimitItem]:
    return parse_many(text)


def _within_scan_limit(config, address: str) -> bool:
    """Each scan writes: one address may scan generously (a shop assistant checking a
    pallet), not fill the scan log or push a competitor's label over the copy warning.

    The counting is Flask-Limiter's own (its strategy and storage, shared by the workers
    through Redis when configured), and SCAN_RATE_LIMIT may name several limits ("10 per
    second; 120 per minute"). Its decorator is left out because, per request, it cost as
    much as counting the scan in the database; so the short and the Digital Link addresses
    share one count per address, and storage errors are not swallowed."""
    if not limiter.enabled:
        return True
    strategy = limiter.limiter
    return all(
        strategy.hit(limit, "label-scan", address)
        for limit in _parsed_limits(config["SCAN_RATE_LIMIT"])
    )


@bp.get("/T/<serial>")
@bp.get("/t/<serial>")
def trace_by_serial(serial: str):
    return _scanned(serial)


@bp.get("/01/<gtin>/10/<lot>/21/<serial>")
def trace_by_digital_link(gtin: str, lot: str, serial: str):
    """GS1 Digital Link: the product's GTIN-14, the batch (lot) and the label's serial."""
    return _scanned(serial, lambda batch: batch.matches_digital_link(gtin, lot))


@bp.get("/trace/<farm_slug>/<code>")
@public_page
def trace_batch(farm_slug: str, code: str):
    """The same page without a label: linked from orders and the farm's dashboard."""
    found = batch_version(farm_slug, code)
    if found is None:
        abort(404)
    batch_id, *version = found
    return _trace_response(batch_id, tuple(version))


@bp.get("/trace/<farm_slug>/<code>/epcis.jsonld")
def batch_epcis(farm_slug: str, code: str):
    batch = load_batch(farm_slug, code)
    if batch is None:
        abort(404)
    document = epcis.batch_document(batch, history(batch), current_app.config["BASE_URL"])
    response = jsonify(document)
    response.mimetype = "application/ld+json"
    response.headers["Content-Disposition"] = (
        f'inline; filename="{batch.farm.slug}-{batch.code}-epcis.jsonld"'
    )
    return response


def trace_url(batch: Batch) -> str:
    return url_for("traceability.trace_batch", farm_slug=batch.farm.slug, code=batch.code)


bp.add_app_template_global(trace_url, "batch_trace_url")
