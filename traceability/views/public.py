"""The public trace page: what a consumer sees when scanning a box's label. No login.

It must be fast on a cheap phone and under load: for visitors who are not signed in, the
batch's part of the page is rendered once per version of the batch (its last hash, number
of events and status) and language, and kept `PAGE_CACHE_SECONDS`; each request then only
counts the scan and fills in the label's own lines (app/page_cache.py).
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request, url_for
from markupsafe import Markup, escape

from app.clock import local_today
from app.extensions import db
from app.page_cache import render_shared
from traceability import epcis, labels, scans
from traceability.models import Batch
from traceability.services import history
from traceability.trace_page import batch_trace, load_batch
from traceability.views import bp


def _trace_response(batch: Batch, scan: scans.ScanResult | None = None):
    genuineness = (
        Markup(render_template("traceability/_genuineness.html", scan=scan)) if scan else Markup()
    )
    version = f"trace\n{batch.id}\n{batch.event_count}\n{batch.head_hash}\n{batch.status}"
    page, state = render_shared(
        version,
        "traceability/trace.html",
        lambda: {"trace": batch_trace(batch, local_today())},
        {"genuineness": genuineness, "language_next": escape(request.full_path.rstrip("?"))},
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
    batch = db.session.get(Batch, scan.batch_id) if scan.genuine else None
    if batch is None or not belongs(batch):
        return render_template("traceability/not_genuine.html", serial=scan.serial), 404
    return _trace_response(batch, scan)


@bp.get("/T/<serial>")
@bp.get("/t/<serial>")
def trace_by_serial(serial: str):
    return _scanned(serial)


@bp.get("/01/<gtin>/10/<lot>/21/<serial>")
def trace_by_digital_link(gtin: str, lot: str, serial: str):
    """GS1 Digital Link: the product's GTIN-14, the batch (lot) and the label's serial."""

    def same_batch(batch: Batch) -> bool:
        own_gtin = batch.product.gtin
        return (
            batch.code == lot.upper()
            and bool(own_gtin)
            and labels.gtin14(own_gtin) == gtin.zfill(14)
        )

    return _scanned(serial, same_batch)


@bp.get("/trace/<farm_slug>/<code>")
def trace_batch(farm_slug: str, code: str):
    """The same page without a label: linked from orders and the farm's dashboard."""
    batch = load_batch(farm_slug, code)
    if batch is None:
        abort(404)
    return _trace_response(batch)


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
