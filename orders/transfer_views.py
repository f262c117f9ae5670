"""Paying by transfer on the phone that would scan: the details to copy and the QR to save.

A buyer who opens the order page on the phone whose banking app would scan the VietQR code
cannot scan it; they copy the account, amount and message into the app, or save the code as
an image and open it from the app's gallery.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from orders.models import Checkout, Order
from orders.transfers import Transfer, transfer_for, transfers_for
from orders.vietqr import qr_png

bp = Blueprint("transfers", __name__, template_folder="templates")


@bp.app_template_global("transfer_for")
def transfer_now(order: Order) -> Transfer | None:
    """The order page's transfer details, decided as its VietQR code is."""
    return transfer_for(order, utcnow())


@bp.app_template_global("transfers_for")
def transfers_now(orders: list[Order]) -> list[Transfer]:
    return transfers_for(orders, utcnow())


@bp.get("/orders/c/<token>/vietqr/<int:order_id>.png")
def vietqr_image(token: str, order_id: int):
    """The order's VietQR code as a PNG download, for whoever holds the checkout's link."""
    order = db.session.scalar(
        select(Order)
        .join(Order.checkout)
        .where(Order.id == order_id, Checkout.access_token == token)
    )
    if order is None:
        abort(404)
    transfer = transfer_for(order, utcnow())
    if transfer is None:  # paid, cancelled, expired, or paid another way
        flash(_("This order can no longer be paid."), "error")
        return redirect(url_for("orders.checkout_page", token=token))
    response = make_response(qr_png(transfer.payload))
    response.headers["Content-Type"] = "image/png"
    response.headers["Content-Disposition"] = f'attachment; filename="{order.number}-vietqr.png"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
