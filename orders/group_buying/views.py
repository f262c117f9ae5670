"""The public offer page (join, share) and the farm's group-offers page."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.clock import local_today
from app.commune_field import SHOW_COMMUNES
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.i18n import current_language
from app.validation import read_whole_number
from app.web import UNPROCESSABLE, form_status, show_domain_error, signed_in_user, submit
from farms.services import get_farm_for
from orders import services as orders
from orders import stripe_payments
from orders.checkout_input import contact_from, prefilled_form, reviewed_figures
from orders.forms import PAYMENT_LABELS
from orders.group_buying import services
from orders.group_buying.forms import (
    GOAL_LABELS,
    GroupOfferForm,
    JoinForm,
    local_deadline_input,
    read_local_deadline,
)
from orders.views import go_to_placed

bp = Blueprint("group_buying", __name__, template_folder="templates")


@bp.route("/group/<int:offer_id>", methods=["GET", "POST"])
def offer_page(offer_id: int):
    """The offer, how many joined and the time left; joining is a one-line checkout here:
    fill in, review at the group price, place."""
    progress = services.offer_for_page(offer_id)
    if request.method == "GET":
        form = prefilled_form(JoinForm)
        form.quantity.data = str(progress.offer.variant.min_order_qty)
        return _render(progress, form)
    form = JoinForm(stripe=stripe_payments.stripe_enabled())
    if request.form.get(SHOW_COMMUNES):  # a new province: list its communes, nothing more
        return _render(progress, form)
    quote = None
    if form.validate_on_submit():
        quantity = read_whole_number(form.quantity.data) or 0
        try:
            if request.form.get("step") == "place":
                return _join(progress.offer, form, quantity)
            orders.clean_contact(contact_from(form))
            quote = services.quote_join(
                progress.offer,
                quantity,
                province_code=form.province_code.data,
                today=local_today(),
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            quote = None
    ok = quote is not None and not form.errors and not form.form_errors
    return _render(progress, form, quote), 200 if ok else UNPROCESSABLE


def _join(offer, form: JoinForm, quantity: int):
    placed = services.join_offer(
        offer,
        quantity,
        buyer=signed_in_user(),
        contact=contact_from(form),
        payment_method=form.payment_method.data,
        shown_prices=reviewed_figures("price-"),
        today=local_today(),
        language=current_language(),
        reviewed_totals=reviewed_figures("total-"),
    )
    db.session.commit()
    return go_to_placed(placed)


def _render(progress, form, quote=None):
    return render_template(
        "group_buying/offer.html",
        progress=progress,
        offer=progress.offer,
        form=form,
        quote=quote,
        now=utcnow(),
        payment_label=PAYMENT_LABELS.get(form.payment_method.data),
    )


@bp.route("/dashboard/farms/<int:farm_id>/group-offers", methods=["GET", "POST"])
@login_required
def farm_offers(farm_id: int):
    """The farm's offers with their counts, and a form to open one."""
    user = signed_in_user()
    farm = get_farm_for(user, farm_id)
    form = GroupOfferForm(variants=services.variants_for_offers(farm, user))
    if request.method == "GET":  # a day from now, the usual length of a group (Sendo's)
        form.deadline.data = local_deadline_input(utcnow() + timedelta(hours=24))
    action = lambda: services.open_offer(  # noqa: E731
        services.variant_for(farm, user, read_whole_number(form.variant.data)),
        user,
        group_price_vnd=form.group_price_vnd.data,
        goal=form.goal.data,
        min_count=form.min_count.data,
        max_boxes=form.max_boxes.data,
        deadline=read_local_deadline(form.deadline.data),
        now=utcnow(),
    )
    if request.method == "POST" and submit(form, action):
        flash(_("The group offer is open: share its link."), "success")
        return redirect(url_for("group_buying.farm_offers", farm_id=farm.id))
    return render_template(
        "group_buying/farm_offers.html",
        farm=farm,
        form=form,
        offers=services.offers_of_farm(farm, user),
        goal_labels=GOAL_LABELS,
        now=utcnow(),
    ), form_status(form)
