"""/admin/orders: every farm's orders for operators, filtered, with the filtered totals, and
the payments waiting for review (each links to the farm's order page where it is resolved)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.auth.roles import Role, role_required
from app.geo import all_provinces
from orders import operator_orders
from orders.forms import PAYMENT_LABELS
from orders.states import PAYMENT_STATUS_LABELS, STATUS_LABELS, PaymentStatus

bp = Blueprint("admin_orders", __name__, template_folder="templates")


@bp.get("/admin/orders")
@role_required(Role.OPERATOR)
def orders():
    operator = current_user._get_current_object()
    farms = operator_orders.farm_choices(operator)
    filters = operator_orders.read_filters(request.args, {farm_id for farm_id, _ in farms})
    page, totals = operator_orders.orders_across_farms(filters, operator)
    return render_template(
        "orders/admin_orders.html",
        page=page,
        totals=totals,
        filters=filters,
        farms=farms,
        provinces=all_provinces(),
        reviewing=filters.payment == PaymentStatus.NEEDS_REVIEW,
        to_review=operator_orders.payments_to_review_count(operator),
        state_labels=STATUS_LABELS,
        payment_status_labels=PAYMENT_STATUS_LABELS,
        payment_labels=PAYMENT_LABELS,
        farm_tab_for=operator_orders.farm_tab_for,
    )
