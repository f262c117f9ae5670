"""A batch's label runs over the API, through traceability.labels as the batch page uses it:
issue a run of QR labels, then fetch its PDF.

A small run's PDF is drawn when it is first fetched (201); a run of LABEL_RUN_BACKGROUND_FROM
labels or more is drawn by the worker (202): poll the run (`pdf_ready`) or its PDF address,
which answers 202 until the file is there, and asks the worker again once its lease is over.
"""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, make_response, url_for
from flask.views import MethodView
from flask_babel import get_locale
from sqlalchemy import select

from api.auth import authorized, caller
from api.blueprint import api_blueprint
from api.conflicts import state_refusals_conflict
from api.farm_batches import farm_batch
from api.paging import PageArgs, keyset_page, next_link, page_body, page_schema
from api.schemas import ROW_ID, UtcTime
from app.db import utcnow
from app.errors import NotFound
from app.extensions import db
from app.storage import get_storage
from traceability import labels
from traceability.jobs import draw_label_run
from traceability.label_formats import DEFAULT_FORMAT_ID, FORMATS
from traceability.models import LabelRun

blp = api_blueprint(
    "farm-labels",
    f"/farms/<{ROW_ID}:farm_id>/batches/<{ROW_ID}:batch_id>/label-runs",
    "A batch's runs of QR labels and their PDF.",
)

#: Seconds a client waits before asking again for a PDF being drawn (the page's reload).
RETRY_AFTER = 5
LOCATION = {"Location": {"schema": {"type": "string"}, "description": "The run"}}


class LabelRunSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    batch_id = ma.fields.Integer(required=True)
    format = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)
    created_at = UtcTime(required=True)
    pdf_ready = ma.fields.Boolean(
        required=True,
        metadata={"description": "The PDF downloads now; false while the worker draws it"},
    )
    pdf_url = ma.fields.String(required=True)


class NewLabelRunSchema(ma.Schema):
    format = ma.fields.String(
        load_default=DEFAULT_FORMAT_ID,
        validate=ma.validate.OneOf(list(FORMATS)),
        metadata={"description": "The sheet of labels"},
    )
    count = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=labels.MAX_LABELS_PER_RUN)
    )


def _run_of(farm_id: int, batch_id: int, run_id: int) -> LabelRun:
    batch = farm_batch(farm_id, batch_id)
    run = db.session.get(LabelRun, run_id)
    if run is None or run.batch_id != batch.id:
        raise NotFound(f"Label run {run_id}")
    return run


def _urls(run: LabelRun) -> tuple[str, str]:
    where = {"farm_id": run.batch.farm_id, "batch_id": run.batch_id, "run_id": run.id}
    return url_for("farm-labels.LabelRun", **where), url_for("farm-labels.LabelRunPdf", **where)


def _run_body(run: LabelRun, *, ready: bool | None = None) -> dict:
    if ready is None:
        # A large run is ready once its file is kept (asked without reading the file).
        ready = not labels.draws_in_background(run) or get_storage().exists(labels.stored_key(run))
    return {
        "id": run.id,
        "batch_id": run.batch_id,
        "format": run.format,
        "count": run.count,
        "created_at": run.created_at,
        "pdf_ready": ready,
        "pdf_url": _urls(run)[1],
    }


def _ask_for_drawing(run: LabelRun) -> None:
    """Have the worker draw the run's PDF in the caller's language, once per lease (as the
    batch page does): committed first, since the job reads the run in its own transaction."""
    if labels.request_drawing(run, utcnow()):
        db.session.commit()
        draw_label_run(run.id, str(get_locale()))


@blp.route("")
class LabelRuns(MethodView):
    @authorized(blp, "batches:read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(LabelRunSchema, "LabelRunPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args, farm_id: int, batch_id: int):
        """The batch's label runs, newest first."""
        batch = farm_batch(farm_id, batch_id)
        statement = select(LabelRun).where(LabelRun.batch_id == batch.id)
        runs, cursor = keyset_page(statement, LabelRun.id, args)
        return page_body([_run_body(r) for r in runs], cursor), 200, next_link(cursor)

    @authorized(blp, "batches:write")
    @blp.arguments(NewLabelRunSchema)
    @blp.response(201, LabelRunSchema, headers=LOCATION)
    @blp.alt_response(202, schema=LabelRunSchema, headers=LOCATION)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, args, farm_id: int, batch_id: int):
        """Issue `count` labels (new serials, sealed in the batch's diary). 201: the PDF
        downloads now; 202: the worker draws it, poll `Location`. 409 before a harvest or
        for a recalled batch; 422 past the farm's daily bounds."""
        batch = farm_batch(farm_id, batch_id)
        with state_refusals_conflict():
            run = labels.issue_labels(batch, caller(), args["format"], args["count"])
        db.session.commit()
        location = _urls(run)[0]
        if labels.draws_in_background(run):
            _ask_for_drawing(run)
            return _run_body(run, ready=False), 202, {"Location": location}
        return _run_body(run, ready=True), 201, {"Location": location}


@blp.route(f"/<{ROW_ID}:run_id>", endpoint="LabelRun")
class OneLabelRun(MethodView):
    @authorized(blp, "batches:read")
    @blp.response(200, LabelRunSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, batch_id: int, run_id: int):
        """One run: whether its PDF is ready, and where to fetch it."""
        return _run_body(_run_of(farm_id, batch_id, run_id))


@blp.route(f"/<{ROW_ID}:run_id>/pdf", endpoint="LabelRunPdf")
class LabelRunPdf(MethodView):
    @authorized(blp, "batches:read")
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="application/pdf",
        description="The labels, to print at 100%",
    )
    @blp.alt_response(
        202,
        schema=LabelRunSchema,
        description="Being drawn: ask again later",
        headers={"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}},
    )
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int, batch_id: int, run_id: int):
        """The run's PDF (application/pdf); 202 with the run while the worker draws it."""
        run = _run_of(farm_id, batch_id, run_id)
        if labels.draws_in_background(run):
            pdf = labels.kept_pdf(run, caller())
            if pdf is None:
                _ask_for_drawing(run)
                pdf = labels.kept_pdf(run, caller())
            if pdf is None:
                # A response of our own: the 200's schema describes a file, not this body.
                waiting = jsonify(LabelRunSchema().dump(_run_body(run, ready=False)))
                waiting.status_code = 202
                waiting.headers["Retry-After"] = str(RETRY_AFTER)
                return waiting
        else:
            pdf = labels.run_pdf(run, caller())
        response = make_response(pdf)
        response.headers["Content-Type"] = "application/pdf"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="labels-{run.batch.code}-{run.id}-{run.format}.pdf"'
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
