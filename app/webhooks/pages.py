"""The pages that manage webhook endpoints: one set of views, mounted twice, for a farm
(/dashboard/farms/<id>/webhooks, by farms) and for an operator (/admin/webhooks).

`webhook_pages(name, prefix, scope_for, back_for)` builds the blueprint: `scope_for(**owner)`
lets the caller in and names the scope (app.webhooks.services), `back_for(**owner)` is the
page the list links back to; `owner` holds the prefix's URL values (the farm's id, or none).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.extensions import db
from app.form_fields import ActionForm, ConfirmForm
from app.web import form_status, submit
from app.webhooks import services
from app.webhooks.delivery import MAX_ATTEMPTS
from app.webhooks.forms import EVENT_LABELS, EndpointForm
from app.webhooks.models import DeliveryStatus, WebhookDelivery

#: Deliveries the log page shows, newest first.
LOG_LENGTH = 50

STATUS_LABELS = {
    DeliveryStatus.PENDING: _l("Pending"),
    DeliveryStatus.SENDING: _l("Sending"),
    # Not "Delivered": its Vietnamese is the order status ("Đã giao"), read as goods handed over.
    DeliveryStatus.DELIVERED: _l("Sent successfully"),
    DeliveryStatus.RETRYING: _l("Retrying"),
    DeliveryStatus.FAILED: _l("Given up"),
}


def webhook_pages(
    name: str,
    prefix: str,
    scope_for: Callable[..., services.Scope],
    back_for: Callable[..., str],
) -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=prefix)

    def _list(owner: dict, form: EndpointForm, secret: str | None = None, created=None):
        scope = scope_for(**owner)
        return render_template(
            "webhooks/endpoints.html",
            pages=name,
            owner=owner,
            back_url=back_for(**owner),
            endpoints=services.endpoints(scope),
            form=form,
            secret=secret,
            created=created,
            event_labels=EVENT_LABELS,
            action_form=ActionForm(formdata=None),
        )

    @bp.route("", methods=["GET", "POST"])
    @login_required
    def index(**owner):
        scope = scope_for(**owner)
        form = EndpointForm()
        action = lambda: services.create_endpoint(  # noqa: E731
            scope, url=form.url.data or "", event_types=form.event_types.data or []
        )
        outcome = submit(form, action)
        if outcome:
            endpoint, secret = outcome.value
            # Shown in this answer only: never stored, never in a redirect or the session.
            return _list(owner, EndpointForm(formdata=None), secret=secret, created=endpoint)
        return _list(owner, form), form_status(form)

    @bp.get("/<int:endpoint_id>")
    @login_required
    def deliveries(endpoint_id: int, **owner):
        scope = scope_for(**owner)
        endpoint = services.endpoint_for(scope, endpoint_id)
        log = services.deliveries_statement(scope, endpoint_id)
        return render_template(
            "webhooks/deliveries.html",
            pages=name,
            owner=owner,
            endpoint=endpoint,
            deliveries=_newest(log),
            status_labels=STATUS_LABELS,
            max_attempts=MAX_ATTEMPTS,
            event_labels=EVENT_LABELS,
        )

    def _act(endpoint_id: int, owner: dict, form, change: Callable[[], object], done: str):
        if submit(form, change):
            flash(done, "success")
        else:
            for error in (str(e) for errors in form.errors.values() for e in errors):
                flash(error, "error")
        return redirect(url_for(f"{name}.deliveries", endpoint_id=endpoint_id, **owner))

    @bp.post("/<int:endpoint_id>/pause")
    @login_required
    def pause(endpoint_id: int, **owner):
        scope = scope_for(**owner)
        change = lambda: services.set_active(scope, endpoint_id, False)  # noqa: E731
        return _act(endpoint_id, owner, ActionForm(), change, _("Paused: events wait."))

    @bp.post("/<int:endpoint_id>/resume")
    @login_required
    def resume(endpoint_id: int, **owner):
        scope = scope_for(**owner)
        change = lambda: services.set_active(scope, endpoint_id, True)  # noqa: E731
        return _act(endpoint_id, owner, ActionForm(), change, _("Switched on again."))

    @bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/replay")
    @login_required
    def replay(endpoint_id: int, delivery_id: int, **owner):
        scope = scope_for(**owner)
        change = lambda: services.replay(scope, endpoint_id, delivery_id)  # noqa: E731
        return _act(endpoint_id, owner, ActionForm(), change, _("The event is being sent again."))

    @bp.post("/<int:endpoint_id>/delete")
    @login_required
    def delete(endpoint_id: int, **owner):
        scope = scope_for(**owner)
        services.endpoint_for(scope, endpoint_id)  # another's endpoint: 404 before the form
        form = ConfirmForm()
        if submit(form, lambda: services.delete_endpoint(scope, endpoint_id)):
            flash(_("Endpoint deleted."), "success")
            return redirect(url_for(f"{name}.index", **owner))
        for error in (str(e) for errors in form.errors.values() for e in errors):
            flash(error, "error")
        return redirect(url_for(f"{name}.deliveries", endpoint_id=endpoint_id, **owner))

    return bp


def _newest(statement) -> list[WebhookDelivery]:
    return list(db.session.scalars(statement.order_by(WebhookDelivery.id.desc()).limit(LOG_LENGTH)))
