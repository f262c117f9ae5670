"""The farm's batch pages: batches, the diary (a few taps per entry on a phone), labels,
recall. Every service call checks that the batch belongs to a farm the user manages."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.roles import Role, has_role
from app.clock import VIETNAM, local_today
from app.db import utcnow
from app.extensions import db
from app.form_fields import ActionForm, ConfirmForm
from app.web import UNPROCESSABLE, form_status, submit, uploaded_bytes
from farms.services import get_farm_for
from orders import services as order_services
from products.models import Product
from traceability import allocation, labels, recalls, scans, services
from traceability.diary import KIND_FIELDS, KIND_LABELS, KIND_ORDER
from traceability.forms import BatchForm, LabelsForm, RecallForm, event_form_class
from traceability.jobs import draw_label_run
from traceability.label_formats import DEFAULT_FORMAT_ID
from traceability.models import EventKind, LabelRun
from traceability.views import bp


def _me():
    return current_user._get_current_object()


def _farm_products(farm) -> list[Product]:
    return list(
        db.session.scalars(select(Product).where(Product.farm_id == farm.id).order_by(Product.name))
    )


@bp.route("/dashboard/farms/<int:farm_id>/batches", methods=["GET", "POST"])
@login_required
def farm_batches(farm_id: int):
    farm = get_farm_for(_me(), farm_id)
    products = _farm_products(farm)
    form = BatchForm()
    form.offer(farm, products)
    if not form.is_submitted() and products:
        form.code.data = services.suggest_code(farm, products[0], local_today())
    created = submit(
        form,
        lambda: services.create_batch(
            farm,
            _me(),
            product_id=form.product_id.data,
            code=form.code.data,
            growing_area_id=form.growing_area_id.data,
        ),
    )
    if created:
        flash(
            _("Batch %(code)s created. Record what happens to it.", code=created.value.code),
            "success",
        )
        return redirect(url_for("traceability.batch_page", batch_id=created.value.id))
    batches = services.farm_batches(farm, _me())
    return render_template(
        "traceability/dashboard/batches.html",
        farm=farm,
        form=form,
        products=products,
        batches=batches,
        figures=scans.scan_figures([b.id for b in batches]),
    ), form_status(form)


def _event_form(batch, kind: EventKind, correcting=None):
    form = event_form_class(kind)()
    if not form.is_submitted():
        form.occurred_at.data = utcnow().astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")
        if correcting is not None:
            form.corrects_id.data = str(correcting.id)
            form.occurred_at.data = correcting.occurred_at.astimezone(VIETNAM).strftime(
                "%Y-%m-%dT%H:%M"
            )
            form.place.data = correcting.place
            form.note.data = correcting.note
            for spec in KIND_FIELDS[kind]:
                if spec.name in correcting.details:
                    form[spec.name].data = str(correcting.details[spec.name])
    return form


def _chosen_kind(batch) -> tuple[EventKind | None, object]:
    """The kind being recorded (?kind=…), or the corrected event's kind (?correct=<id>)."""
    correcting = None
    if request.values.get("correct"):
        correcting = next(
            (e for e in services.history(batch) if str(e.id) == request.values["correct"]), None
        )
        if correcting is None:
            abort(404)
        return EventKind(correcting.kind), correcting
    try:
        return EventKind(request.values.get("kind", "")), None
    except ValueError:
        return None, None


def _entry(form, kind: EventKind) -> services.EventInput:
    photos = [f.read() for f in (form.photos.data or []) if getattr(f, "filename", "")]
    report = uploaded_bytes(form.report) if "report" in form else None
    return services.EventInput(
        kind=kind.value,
        occurred_at=form.occurred_at.data or "",
        fields={spec.name: form[spec.name].data or "" for spec in KIND_FIELDS[kind]},
        place=form.place.data or "",
        note=form.note.data or "",
        photos=photos,
        report=report,
        report_filename=form.report.data.filename if report else "",
        corrects_id=form.corrects_id.data or None,
        phi_override_reason=form.phi_override_reason.data or "",
    )


@bp.route("/dashboard/batches/<int:batch_id>", methods=["GET", "POST"])
@login_required
def batch_page(batch_id: int):
    batch = services.get_batch_for(_me(), batch_id)
    kind, correcting = _chosen_kind(batch)
    form = _event_form(batch, kind, correcting) if kind else None
    if form is not None and request.method == "POST":
        recorded = submit(form, lambda: services.record_event(batch, _me(), _entry(form, kind)))
        if recorded:
            flash(_("Recorded: %(what)s.", what=KIND_LABELS[kind]), "success")
            return redirect(url_for("traceability.batch_page", batch_id=batch.id))
    status = UNPROCESSABLE if form is not None and form.errors else 200
    return _batch_page(batch, kind=kind, form=form, correcting=correcting, status=status)


def _batch_page(batch, *, kind=None, form=None, correcting=None, recall_form=None, status=200):
    """The farm's page of one batch, with the form the farmer is filling in kept as typed."""
    runs = list(
        db.session.scalars(
            select(LabelRun).where(LabelRun.batch_id == batch.id).order_by(LabelRun.id.desc())
        )
    )
    labels_form = LabelsForm(formdata=None, format=DEFAULT_FORMAT_ID, count="65")
    events = services.history(batch)
    return render_template(
        "traceability/dashboard/batch.html",
        batch=batch,
        events=events,
        superseded={e.corrects_id for e in events if e.corrects_id},
        kinds=KIND_ORDER,
        kind=kind,
        form=form,
        correcting=correcting,
        can_override=has_role(_me(), Role.OPERATOR),
        labels_form=labels_form,
        runs=runs,
        recall_form=recall_form or RecallForm(formdata=None),
        receivers=recalls.receivers(batch, _me()),
        figures=scans.scan_figures([batch.id])[batch.id],
    ), status


@bp.post("/dashboard/batches/<int:batch_id>/labels")
@login_required
def print_labels(batch_id: int):
    batch = services.get_batch_for(_me(), batch_id)
    form = LabelsForm()
    issued = submit(
        form, lambda: labels.issue_labels(batch, _me(), form.format.data, form.count.data)
    )
    if not issued:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        for message in form.form_errors:
            flash(message, "error")
        return redirect(url_for("traceability.batch_page", batch_id=batch.id) + "#labels")
    run = issued.value
    if labels.draws_in_background(run):
        _ask_for_drawing(run)
        flash(
            _(
                "%(n)d labels issued. Their PDF is being drawn; it downloads when it is ready. "
                "Print it at 100%% (no scaling).",
                n=run.count,
            ),
            "success",
        )
    else:
        flash(
            ngettext(
                "%(num)d label issued. Download the PDF and print it at 100%% (no scaling).",
                "%(num)d labels issued. Download the PDF and print it at 100%% (no scaling).",
                run.count,
            ),
            "success",
        )
    return redirect(url_for("traceability.label_run_pdf", run_id=run.id))


def _ask_for_drawing(run: LabelRun) -> None:
    """Have the worker draw the run's PDF, unless it was asked within the lease."""
    if labels.request_drawing(run, utcnow()):
        db.session.commit()  # the job reads the run in a transaction of its own
        draw_label_run(run.id, str(get_locale()))


#: Seconds between reloads of the page that waits for a large run's PDF.
WAITING_PAGE_REFRESH = 5


@bp.get("/dashboard/label-runs/<int:run_id>.pdf")
@login_required
def label_run_pdf(run_id: int):
    run = db.get_or_404(LabelRun, run_id)
    if labels.draws_in_background(run):
        pdf = labels.kept_pdf(run, _me())
        if pdf is None:
            # Not drawn (yet, or in this language): ask the worker, once per lease.
            _ask_for_drawing(run)
            pdf = labels.kept_pdf(run, _me())
        if pdf is None:
            response = make_response(
                render_template("traceability/dashboard/label_run_waiting.html", run=run), 202
            )
            response.headers["Refresh"] = str(WAITING_PAGE_REFRESH)
            response.headers["Cache-Control"] = "private, no-store"
            return response
    else:
        pdf = labels.run_pdf(run, _me())
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="labels-{run.batch.code}-{run.id}-{run.format}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/dashboard/batches/<int:batch_id>/recall")
@login_required
def recall_batch(batch_id: int):
    batch = services.get_batch_for(_me(), batch_id)
    form = RecallForm()
    outcome = submit(form, lambda: services.recall_batch(batch, _me(), form.reason.data))
    if outcome:
        mailed = outcome.value
        flash(
            _("Batch %(code)s recalled. Contact every buyer listed below.", code=batch.code),
            "success",
        )
        flash(_("Buyers told about the recall (e-mail, Zalo, SMS): %(n)d.", n=mailed), "info")
        return redirect(url_for("traceability.batch_page", batch_id=batch.id))
    # Refused (no tick, too short a reason): the page again, with the reason as typed.
    for message in [*form.form_errors, *form.confirm.errors]:
        flash(message, "error")
    return _batch_page(batch, recall_form=form, status=form_status(form))


@bp.post("/dashboard/batches/<int:batch_id>/sold-out")
@login_required
def batch_sold_out(batch_id: int):
    batch = services.get_batch_for(_me(), batch_id)
    form = ConfirmForm()
    if submit(form, lambda: services.mark_sold_out(batch, _me())):
        flash(_("Batch %(code)s marked as sold out.", code=batch.code), "success")
    else:
        for message in [*form.form_errors, *form.confirm.errors]:
            flash(message, "error")
    return redirect(url_for("traceability.batch_page", batch_id=batch.id))


@bp.route("/dashboard/orders/<int:order_id>/pack-with-batches", methods=["GET", "POST"])
@login_required
def pack_with_batches(order_id: int):
    """Pack an order saying which batch each line came from (the first harvested is offered)."""
    order = order_services.get_order_for_farm(_me(), order_id)
    form = ActionForm()
    chosen = {
        line.id: [
            (
                request.form.get(f"batch-{line.id}-{n}", ""),
                request.form.get(f"qty-{line.id}-{n}", ""),
            )
            for n in (1, 2)
        ]
        for line in order.lines
    }
    # Weighed goods (orders.weighed): the actual grams of each line sold by weight.
    weights = {
        "actual_grams": {
            line.id: request.form.get(f"grams_{line.id}", "")
            for line in order.lines
            if line.sold_by_weight
        },
        "confirm_unusual_weights": request.form.get("confirm_weights") == "y",
    }
    if submit(form, lambda: allocation.pack_with_batches(order, _me(), chosen, **weights)):
        flash(_("Order %(number)s packed.", number=order.number), "success")
        return redirect(url_for("orders.farm_orders", farm_id=order.farm_id))
    return render_template(
        "traceability/dashboard/pack.html",
        order=order,
        form=form,
        choices=allocation.choices_for(order),
        chosen=chosen if form.is_submitted() else {},
    ), form_status(form)
