"""The public trace page: what a consumer sees when scanning a box's label. No login.

It must be fast on a cheap phone and under load: for visitors who are not signed in, the
batch's part of the page is rendered once per version of the batch (its last hash, number
of events and status) and language, and kept `PAGE_CACHE_SECONDS`; each request then only
counts the scan and fills in the label's own lines (app/page_cache.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup, escape

from app.clock import local_today
from app.extensions import db, limiter
from app.page_cache import render_shared
from traceability import epcis, labels, scans
from traceability.models import Batch
from traceability.services import history
from traceability.trace_page import batch_trace, batch_version, load_batch
from traceability.views import bp
from traceability.views.genuineness import genuineness_html


def _trace_response(batch_id: int, version: tuple, scan: scans.ScanResult | None = None):
    """The page of a batch; `version` (its event count, last hash and status) keys the copy
    shared by visitors, so the batch itself is loaded only when the page is rendered."""

    def context() -> dict:
        return {"trace": batch_trace(batch_id, local_today())}

    # Switching language on a label's page returns to the batch's page: coming back to the
    # label's address would count the label as scanned once more.
    back = (
        url_for("traceability.trace_batch", farm_slug=scan.batch.farm_slug, code=scan.batch.code)
        if scan
        else request.full_path.rstrip("?")
    )
    page, state = render_shared(
        "trace\n" + "\n".join(map(str, (batch_id, *version))),
        "traceability/trace.html",
        context,
        {
            "genuineness": genuineness_html(scan) if scan else Markup(),
            # Where the language switch returns to: this very address (a label's, say).
            "language_next": escape(back),
            "language_next_query": escape(urlencode({"next": back})),
        },
    )
    response = current_app.make_response(page)
    if state:
        response.headers["X-Page-Cache"] = state
    return response


def _scanned(serial: str, belongs=lambda batch: True):
    """Count the scan; a serial that was never issued, or that came with another batch's
    GTIN and lot, gets the "not genuine" page."""
    scan = scans.record_scan(serial, request.headers.get("User-Agent", ""))
    db.session.commit()
    batch = scan.batch
    if batch is None or not belongs(batch):
        return render_template(
            "traceability/not_genuine.html", serial=scan.serial, elsewhere=batch is not None
        ), 404
    return _trace_response(batch.id, (batch.event_count, batch.head_hash, batch.status), scan)


def _scan_limit() -> str:
    return current_app.config["SCAN_RATE_LIMIT"]


# Each scan writes: one address may scan generously (a shop assistant checking a pallet),
# not fill the scan log or push a competitor's label over the copy warning.
@bp.get("/T/<serial>")
@bp.get("/t/<serial>")
@limiter.limit(_scan_limit)
def trace_by_serial(serial: str):
    return _scanned(serial)


@bp.get("/01/<gtin>/10/<lot>/21/<serial>")
@limiter.limit(_scan_limit)
def trace_by_digital_link(gtin: str, lot: str, serial: str):
    """GS1 Digital Link: the product's GTIN-14, the batch (lot) and the label's serial."""

    def same_batch(batch: scans.ScannedBatch) -> bool:
        return (
            batch.code == lot.upper()
            and bool(batch.gtin)
            and labels.gtin14(batch.gtin) == gtin.zfill(14)
        )

    return _scanned(serial, same_batch)


@bp.get("/trace/<farm_slug>/<code>")
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
