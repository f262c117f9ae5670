"""The public trace page: what a consumer sees when scanning a box's label. No login."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request, url_for

from app.clock import local_today
from app.extensions import db
from traceability import epcis, labels, scans
from traceability.models import Batch, Label
from traceability.services import history
from traceability.trace_page import batch_trace, load_batch
from traceability.views import bp


def _render(batch: Batch, scan: scans.ScanResult | None = None, status: int = 200):
    trace = batch_trace(batch, local_today())
    return render_template("traceability/trace.html", trace=trace, scan=scan), status


def _scanned(serial: str, batch_matches=lambda label: True):
    """Log the scan; a serial that was never issued (or does not belong to the address it
    came with) gets the "not genuine" page."""
    scan = scans.record_scan(serial, request.headers.get("User-Agent", ""))
    label: Label | None = scan.label
    if label is None or not batch_matches(label):
        db.session.commit()
        return render_template("traceability/not_genuine.html", serial=scan.serial), 404
    db.session.commit()
    return _render(label.batch, scan)


@bp.get("/T/<serial>")
@bp.get("/t/<serial>")
def trace_by_serial(serial: str):
    return _scanned(serial)


@bp.get("/01/<gtin>/10/<lot>/21/<serial>")
def trace_by_digital_link(gtin: str, lot: str, serial: str):
    """GS1 Digital Link: the product's GTIN-14, the batch (lot) and the label's serial."""

    def same_batch(label: Label) -> bool:
        batch = label.batch
        return (
            batch.code == lot.upper()
            and bool(batch.product.gtin)
            and labels.gtin14(batch.product.gtin) == gtin.zfill(14)
        )

    return _scanned(serial, same_batch)


@bp.get("/trace/<farm_slug>/<code>")
def trace_batch(farm_slug: str, code: str):
    """The same page without a label: linked from orders and the farm's dashboard."""
    batch = load_batch(farm_slug, code)
    if batch is None:
        abort(404)
    return _render(batch)


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
