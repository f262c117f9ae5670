"""The page where anyone finds an order by phone number and order number (guests who kept
no link). Rate-limited per client address and per phone, as the log-in is, and the answer
to a miss never says which of the two was wrong."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.identifiers import InvalidIdentifier, normalize_phone
from app.extensions import limiter
from app.web import UNPROCESSABLE
from orders import lookup
from orders.forms import FindOrderForm

bp = Blueprint("order_lookup", __name__, template_folder="templates")

#: Look-ups one client address may try; a shop's Wi-Fi may hold a few buyers.
ADDRESS_LIMIT = "20 per hour"
#: Look-ups for one phone number, from anywhere: guessing order numbers for a phone stops.
PHONE_LIMIT = "8 per hour"


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
        found = lookup.find_checkout(form.phone.data, form.number.data)
        if found is not None:
            return redirect(url_for("orders.checkout_page", token=found.access_token))
        form.form_errors.append(
            _(
                "No order matches this phone number and order number. Check both against "
                "your confirmation message."
            )
        )
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template("orders/find_order.html", form=form), status
