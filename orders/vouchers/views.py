"""The farm's Vouchers page and the operators' platform vouchers page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.roles import Role, role_required
from app.db import utcnow
from app.form_fields import ActionForm
from app.web import form_status, submit
from farms.models import Farm
from farms.services import get_farm_for
from orders.vouchers import services
from orders.vouchers.forms import KIND_LABELS, VoucherForm

bp = Blueprint("vouchers", __name__, template_folder="templates")


def _actor():
    return current_user._get_current_object()


def _create(form: VoucherForm, farm: Farm | None):
    return lambda: services.create_voucher(
        _actor(),
        farm,
        code=form.code.data,
        kind=form.kind.data,
        value=form.value.data,
        max_discount_vnd=form.max_discount_vnd.data,
        min_spend_vnd=form.min_spend_vnd.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        total_uses=form.total_uses.data,
        uses_per_buyer=form.uses_per_buyer.data,
        first_order_only=form.first_order_only.data,
        product_ids=form.product_ids(),
    )


def _page(form: VoucherForm, farm: Farm | None):
    return render_template(
        "vouchers/vouchers.html",
        farm=farm,
        form=form,
        vouchers=services.vouchers_of(_actor(), farm),
        products=services.products_to_choose(_actor(), farm) if farm else [],
        kind_labels=KIND_LABELS,
        now=utcnow(),
    ), form_status(form)


@bp.route("/dashboard/farms/<int:farm_id>/vouchers", methods=["GET", "POST"])
@login_required
def farm_vouchers(farm_id: int):
    farm = get_farm_for(_actor(), farm_id)
    form = VoucherForm()
    if form.is_submitted() and submit(form, _create(form, farm)):
        flash(_("Voucher %(code)s created.", code=form.code.data.strip().upper()), "success")
        return redirect(url_for("vouchers.farm_vouchers", farm_id=farm.id))
    return _page(form, farm)


@bp.post("/dashboard/farms/<int:farm_id>/vouchers/<int:voucher_id>/disable")
@login_required
def disable_farm_voucher(farm_id: int, voucher_id: int):
    farm = get_farm_for(_actor(), farm_id)
    _disable(services.get_voucher(_actor(), voucher_id, farm))
    return redirect(url_for("vouchers.farm_vouchers", farm_id=farm.id))


@bp.route("/admin/vouchers", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def platform_vouchers():
    form = VoucherForm()
    if form.is_submitted() and submit(form, _create(form, None)):
        flash(_("Voucher %(code)s created.", code=form.code.data.strip().upper()), "success")
        return redirect(url_for("vouchers.platform_vouchers"))
    return _page(form, None)


@bp.post("/admin/vouchers/<int:voucher_id>/disable")
@role_required(Role.OPERATOR)
def disable_platform_voucher(voucher_id: int):
    _disable(services.get_voucher(_actor(), voucher_id, None))
    return redirect(url_for("vouchers.platform_vouchers"))


def _disable(voucher) -> None:
    form = ActionForm()
    if submit(form, lambda: services.disable_voucher(_actor(), voucher)):
        flash(_("Voucher %(code)s is disabled.", code=voucher.code), "info")
    else:
        for message in (str(e) for errors in form.errors.values() for e in errors):
            flash(message, "error")
