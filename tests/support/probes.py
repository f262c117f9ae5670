"""Routes that exist only in the test application, to reach error and permission paths
that no real page triggers on purpose."""

import json
import time

import stripe
from flask import Blueprint, abort, current_app, redirect, request, url_for
from sqlalchemy import select

from app.auth.roles import Role, role_required
from app.extensions import csrf, db

probes = Blueprint("probes", __name__, url_prefix="/_probe")


@probes.get("/boom")
def boom():
    raise RuntimeError("a bug in a view")


@probes.get("/abort/<int:code>")
def abort_with(code: int):
    abort(code)


@probes.get("/operators-only")
@role_required(Role.OPERATOR)
def operators_only():
    return "ok"


@probes.route("/stripe-pay/<session_id>", methods=["GET", "POST"])
@csrf.exempt
def stripe_pay(session_id: str):
    """A stand-in for Stripe's hosted payment page in browser tests: paying sends the app the
    signed webhook Stripe would send, then returns the buyer to the shop, as Stripe does."""
    from orders.models import Checkout

    checkout = db.session.scalar(select(Checkout).where(Checkout.stripe_session_id == session_id))
    if checkout is None:
        abort(404)
    if request.method == "GET":
        return (
            f'<form method="post"><button type="submit">Pay {checkout.total_vnd} VND</button>'
            "</form>"
        )
    token = checkout.access_token
    db.session.commit()  # end this read so the webhook's write is not blocked (SQLite)
    payload = json.dumps(
        {
            "id": f"evt_{session_id}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "api_version": "2024-06-20",
            "data": {
                "object": {"id": session_id, "object": "checkout.session", "payment_status": "paid"}
            },
        }
    )
    signature = stripe.WebhookSignature.generate_signature_header(
        payload, current_app.config["STRIPE_WEBHOOK_SECRET"]
    )
    current_app.test_client().post(
        "/payments/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )
    return redirect(url_for("orders.checkout_page", token=token))


@probes.get("/shared-form")
def shared_form():
    """A page shared with visitors that holds a POST form: it must never be shared."""
    from flask import render_template_string

    from app.page_cache import shared_with_visitors

    @shared_with_visitors
    def page():
        return render_template_string(
            '<form method="post"><input name="csrf_token" value="{{ csrf_token() }}"></form>'
        )

    return page()
