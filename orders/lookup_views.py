"""The page where anyone finds an order by phone number and order number (guests who kept
no link): it shows that order read-only and offers to send its link to the phone given with
it. Rate-limited per client address and per phone, as the log-in is, and the answer to a
miss never says which of the two was wrong."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _

from app.auth.identifiers import InvalidIdentifier, normalize_phone
from app.extensions import db, limiter
from app.web import UNPROCESSABLE
from orders import lookup
from orders.forms import FindOrderForm

bp = Blueprint("order_lookup", __name__, template_folder="templates")

#: Look-ups one client address may try; a shop's Wi-Fi may hold a few buyers.
ADDRESS_LIMIT = "20 per hour"
#: Look-ups for one phone number, from anywhere: guessing order numbers for a phone stops.
PHONE_LIMIT = "8 per hour"
#: Links sent to one phone number: each is a message the platform pays for.
LINK_LIMIT = "3 per hour"


def _address_key() -> str:
    return "find-order-address:" + (request.remote_addr or "unknown")


def _phone_key() -> str:
    """Counts per number however it is written ("0912…", "+84 912…")."""
    raw = request.form.get("phone", "")
    try:
        return "find-order-phone:" + normalize_phone(raw)
    except InvalidIdentifier:
        return "find-order-phone:" + "".join(raw.split())[:30]


@bp.route("/orders/find", methods=["GET", "POST"])
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], key_func=_address_key)
@limiter.limit(PHONE_LIMIT, methods=["POST"], key_func=_phone_key)
def find_order():
    form = FindOrderForm()
    if form.validate_on_submit():
        order = lookup.find_order(form.phone.data, form.number.data)
        if order is not None:
            return _found(form, order)
        _no_match(form)
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template("orders/find_order.html", form=form), status


@bp.post("/orders/find/send-link")
@limiter.limit(ADDRESS_LIMIT, key_func=_address_key)
@limiter.limit(LINK_LIMIT, key_func=_phone_key)
def send_order_link():
    form = FindOrderForm()
    if form.validate_on_submit():
        order = lookup.find_order(form.phone.data, form.number.data)
        if order is not None:
            lookup.send_order_link(order)
            db.session.commit()
            flash(
                _(
                    "We have sent the link to this order to the phone number (and e-mail) "
                    "given with it."
                ),
                "success",
            )
            return _found(form, order)
        _no_match(form)
    return render_template("orders/find_order.html", form=form), UNPROCESSABLE


def _found(form: FindOrderForm, order) -> str:
    """The one order, read-only: no address, no other farm's order, no link to manage it."""
    return render_template("orders/found_order.html", form=form, order=order)


def _no_match(form: FindOrderForm) -> None:
    form.form_errors.append(
        _(
            "No order matches this phone number and order number. Check both against "
            "your confirmation message."
        )
    )
