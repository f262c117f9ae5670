"""/open-data: the aggregate figures per province and month as JSON and CSV for anyone, their
JSON Schema, a DCAT description for portals, and a page that documents them."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _

from app.clock import local_today
from app.csv_cells import csv_document
from app.geo import province_by_code
from app.http_cache import public_page
from dashboard import open_data
from dashboard.confidentiality import MIN_SELLERS_SHOWN
from dashboard.refresh import last_refreshed_at

bp = Blueprint("open_data", __name__, template_folder="templates")


def _json(data, status: int = 200, mimetype: str = "application/json") -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return Response(body, status=status, mimetype=mimetype)


def _province() -> tuple[str | None, Response | None]:
    raw = (request.args.get("province") or "").strip()
    if not raw:
        return None, None
    if province_by_code(raw) is None:
        message = _("There is no province “%(value)s”.", value=raw[:40])
        return None, _json({"error": message}, status=400)
    return raw, None


@bp.get("/open-data")
@public_page
def page():
    return render_template(
        "dashboard/open_data.html",
        fields=open_data.FIELD_LABELS,
        min_sellers=MIN_SELLERS_SHOWN,
        licence_name=open_data.LICENCE_NAME,
        licence_url=open_data.LICENCE_URL,
        refreshed_at=last_refreshed_at(),
    )


@bp.get("/open-data/figures.json")
@public_page
def figures_json():
    province, refusal = _province()
    if refusal is not None:
        return refusal
    schema_url = url_for("open_data.figures_schema", _external=True)
    return _json(open_data.document(local_today(), province, schema_url))


@bp.get("/open-data/figures.csv")
@public_page
def figures_csv():
    province, refusal = _province()
    if refusal is not None:
        return refusal
    records = open_data.monthly_records(local_today(), province)
    rows = [list(open_data.KEYS)] + [[r[key] for key in open_data.KEYS] for r in records]
    return Response(
        csv_document(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="nongsan-figures.csv"'},
    )


@bp.get("/open-data/figures.schema.json")
@public_page
def figures_schema():
    return _json(open_data.schema(), mimetype="application/schema+json")


@bp.get("/open-data/catalog.jsonld")
@public_page
def catalog():
    urls = {
        "catalog": url_for("open_data.catalog", _external=True),
        "page": url_for("open_data.page", _external=True),
        "json": url_for("open_data.figures_json", _external=True),
        "csv": url_for("open_data.figures_csv", _external=True),
        "schema": url_for("open_data.figures_schema", _external=True),
    }
    refreshed = last_refreshed_at()
    modified = refreshed.isoformat() if refreshed else None
    return _json(open_data.dcat_catalog(urls, modified), mimetype="application/ld+json")
