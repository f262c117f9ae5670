"""/admin/outbox: every mail, Zalo and SMS message, how its delivery went, and "try again"."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import job_failures, outbox_review
from app.auth.roles import Role, role_required
from app.extensions import db
from app.form_fields import ActionForm
from app.messaging.models import OutboundMessage
from app.web import submit

bp = Blueprint("admin_outbox", __name__)


def init_admin_outbox(app: Flask) -> None:
    app.register_blueprint(bp)
    job_failures.watch_job_failures(app)
    # The operators' navigation (admin/_nav.html) shows how many messages were given up.
    app.add_template_global(outbox_review.failed_message_count, "outbox_failed_count")


def _operator():
    return current_user._get_current_object()


@bp.get("/admin/outbox")
@role_required(Role.OPERATOR)
def outbox():
    filters = outbox_review.read_filters(request.args)
    return render_template(
        "admin/outbox.html",
        page=outbox_review.outbox_page(filters, _operator()),
        filters=filters,
        attention=outbox_review.attention_counts(),
        failed_jobs=job_failures.recent_job_failures(),
        kinds=outbox_review.known_kinds(),
        channel_labels=outbox_review.CHANNEL_LABELS,
        status_labels=outbox_review.STATUS_LABELS,
        retry_form=ActionForm(formdata=None),
    )


@bp.get("/admin/outbox/<int:message_id>")
@role_required(Role.OPERATOR)
def outbox_message(message_id: int):
    message = outbox_review.message_for(message_id, _operator())
    return render_template(
        "admin/outbox_message.html",
        message=message,
        body_visible=outbox_review.body_is_visible(message),
        channel_labels=outbox_review.CHANNEL_LABELS,
        status_labels=outbox_review.STATUS_LABELS,
        retry_form=ActionForm(formdata=None),
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@role_required(Role.OPERATOR)
def retry(message_id: int):
    message = db.get_or_404(OutboundMessage, message_id)
    form = ActionForm()
    if submit(form, lambda: outbox_review.retry_message(message, _operator())):
        flash(_("Message %(id)s is being sent again.", id=message_id), "success")
    else:
        for error in (str(e) for errors in form.errors.values() for e in errors):
            flash(error, "error")
    return redirect(url_for("admin_outbox.outbox_message", message_id=message_id))
