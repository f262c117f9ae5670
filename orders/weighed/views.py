"""The farm's packing of weighed orders and its record of a weight difference refunded
(routes on the orders blueprint)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.form_fields import ActionForm, Form, vnd_field
from app.web import submit
from farms.services import get_farm_for
from orders import services
from orders.views import bp
from orders.weighed.packing import grams_field, weighed_lines
from orders.weighed.refunds import record_weight_refund
from orders.weighed.settings import set_absorb_limit


def _me():
    return current_user._get_current_object()


class AbsorbLimitForm(Form):
    underpayment_absorb_limit_vnd = vnd_field(
        _l("Absorb a heavier prepaid box's difference up to (đồng)"), required=False
    )


@bp.post("/dashboard/farms/<int:farm_id>/delivery/weighed")
@login_required
def absorb_limit(farm_id: int):
    """The farm's limit for heavier prepaid boxes, set on its delivery page."""
    farm = get_farm_for(_me(), farm_id)
    form = AbsorbLimitForm()
    action = lambda: set_absorb_limit(  # noqa: E731
        farm, _me(), form.underpayment_absorb_limit_vnd.data
    )
    if submit(form, action):
        flash(_("Delivery settings saved."), "success")
    else:
        for message in (str(e) for errs in form.errors.values() for e in errs):
            flash(message, "error")
    return redirect(url_for("orders.delivery_settings", farm_id=farm.id) + "#weighed")


@bp.post("/dashboard/orders/<int:order_id>/pack-weighed")
@login_required
def pack_weighed(order_id: int):
    """Pack an order, recording the actual weight of each weighed line."""
    order = services.get_order_for_farm(_me(), order_id)
    grams = {line.id: request.form.get(grams_field(line), "") for line in weighed_lines(order)}
    confirmed = request.form.get("confirm_weights") == "y"
    action = lambda: services.pack_order(  # noqa: E731
        order, _me(), actual_grams=grams, confirm_unusual_weights=confirmed
    )
    return _done(order, ActionForm(), action)


@bp.post("/dashboard/orders/<int:order_id>/weight-refunded")
@login_required
def weight_refunded(order_id: int):
    order = services.get_order_for_farm(_me(), order_id)
    return _done(order, ActionForm(), lambda: record_weight_refund(order, _me()))


def _done(order, form, action):
    if submit(form, action):
        flash(_("Order %(number)s updated.", number=order.number), "success")
    else:
        for message in (str(e) for errs in form.errors.values() for e in errs):
            flash(message if order.number in message else f"{order.number}: {message}", "error")
    return redirect(
        url_for("orders.farm_orders", farm_id=order.farm_id, tab=request.args.get("tab", "all"))
    )
