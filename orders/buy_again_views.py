"""The "buy again" buttons of the buyer's order list and order page (routes on the orders
blueprint)."""

from __future__ import annotations

from flask import abort, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.errors import PermissionDenied
from app.extensions import db
from app.form_fields import ActionForm
from app.web import signed_in_user
from orders.buy_again import Refill, buy_again
from orders.models import Order
from orders.views import bp


def _refill(order_id: int, token: str | None):
    order = db.get_or_404(Order, order_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    buyer = signed_in_user()
    try:
        refill = buy_again(order, session, buyer, access_token=token)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    db.session.commit()
    _tell(refill)
    return redirect(url_for("orders.view_cart"))


def _tell(refill: Refill) -> None:
    if refill.added:
        flash(_("Added to your cart: %(names)s.", names=", ".join(refill.added)), "success")
    if refill.capped:
        flash(
            _("Only what is left in stock was added: %(names)s.", names=", ".join(refill.capped)),
            "info",
        )
    if refill.left_out:
        flash(
            _(
                "No longer on sale or sold out, not added: %(names)s.",
                names=", ".join(refill.left_out),
            ),
            "error",
        )


@bp.post("/orders/<int:order_id>/buy-again")
@login_required
def buy_again_mine(order_id: int):
    """From the signed-in buyer's order list."""
    return _refill(order_id, None)


@bp.post("/orders/c/<token>/buy-again/<int:order_id>")
def buy_again_with_link(token: str, order_id: int):
    """From the order page, which a guest reaches through its secret link."""
    return _refill(order_id, token)
