"""Operators pay farms what card buyers paid through the platform, and record it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.roles import Role, role_required
from app.extensions import db
from app.i18n import format_vnd
from app.web import UNPROCESSABLE, submit
from farms.banks import bank_by_bin
from farms.models import Farm
from orders import payouts
from orders.forms import PAYMENT_LABELS, PayoutForm

bp = Blueprint("payouts", __name__, template_folder="templates")


def payout_form(farm_id: int, balance_vnd: int | None = None) -> PayoutForm:
    form = PayoutForm(prefix=f"farm{farm_id}")
    if balance_vnd is not None and not form.is_submitted():
        form.amount.data = str(balance_vnd)
    return form


def _page(failed: tuple[int, PayoutForm] | None = None, status: int = 200):
    operator = current_user._get_current_object()
    owed = payouts.farms_owed(operator)
    forms = {row.farm.id: payout_form(row.farm.id, row.balance_vnd) for row in owed}
    if failed:
        farm_id, form = failed
        if farm_id in forms:
            forms[farm_id] = form
        else:  # the farm is owed nothing (any more): say why nothing was recorded
            for message in [*form.form_errors, *form.amount.errors, *form.reference.errors]:
                flash(message, "error")
    return render_template(
        "orders/admin_payouts.html",
        owed=owed,
        forms=forms,
        bank_by_bin=bank_by_bin,
        recent=payouts.recent_payouts(operator),
        refunds=payouts.refunds_needed(operator),
        payment_labels=PAYMENT_LABELS,
    ), status


@bp.get("/admin/payouts")
@role_required(Role.OPERATOR)
def admin_payouts():
    return _page()


@bp.post("/admin/farms/<int:farm_id>/payouts")
@role_required(Role.OPERATOR)
def record_payout(farm_id: int):
    farm = db.get_or_404(Farm, farm_id)
    form = payout_form(farm_id)
    outcome = submit(
        form,
        lambda: payouts.record_payout(
            farm, current_user._get_current_object(), form.amount.data, form.reference.data
        ),
    )
    if not outcome.ok:
        return _page((farm_id, form), UNPROCESSABLE)
    flash(
        _(
            "Payout of %(amount)s to %(farm)s recorded.",
            amount=format_vnd(-outcome.value.amount_vnd),
            farm=farm.name,
        ),
        "success",
    )
    return redirect(url_for("payouts.admin_payouts"))
