"""Cart, checkout and the page where a buyer follows a checkout's orders and pays them."""

from __future__ import annotations

from datetime import date, timedelta

import stripe
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import local_today
from app.commune_field import SHOW_COMMUNES
from app.db import utcnow
from app.errors import DomainError
from app.extensions import csrf, db
from app.form_fields import ActionForm, ConfirmForm
from app.geo import all_provinces
from app.i18n import current_language
from app.validation import read_id, read_whole_number
from app.web import UNPROCESSABLE, form_status, show_domain_error, signed_in_user, submit
from farms.models import Farm
from farms.services import get_farm_for
from orders import (
    bank_notifications,
    delivery,
    documents,
    payouts,
    reports,
    services,
    stripe_payments,
)
from orders import cart as carts
from orders.checkout_input import contact_from, prefilled_form, reviewed_figures
from orders.delivery_outlook import delivery_province
from orders.events import paid_times
from orders.forms import (
    PAYMENT_LABELS,
    CancelForm,
    CancelOrderForm,
    CheckoutForm,
    DeliverySettingsForm,
    DeliveryZoneForm,
    ShipForm,
)
from orders.models import Checkout, Order
from orders.states import payment_status_label, status_label
from orders.transfers import transfer_for
from orders.vietqr import qr_svg
from orders.vouchers import rules as voucher_rules
from orders.weighed.refunds import weight_refunds_for_farm
from products.seasons import SeasonState, availability

bp = Blueprint("orders", __name__, template_folder="templates")


@bp.app_template_global()
def order_status_label(status: str) -> str:
    return status_label(status)


bp.add_app_template_global(payouts.ledger_kind_label)
bp.add_app_template_global(payment_status_label)
bp.add_app_template_global(paid_times, "order_paid_times")


@bp.app_template_global()
def can_still_pay(order: Order) -> bool:
    return services.can_still_pay(order, utcnow())


# Also a test, for `orders | select("can_still_pay")`.
bp.add_app_template_test(can_still_pay)


@bp.app_template_global()
def preorder_ships_on(variant) -> date | None:
    """When a line bought today ships, if it is a pre-order (product out of season)."""
    state = availability(variant.product, local_today())
    return state.preorder_ships_on if state.state == SeasonState.PREORDER else None


@bp.app_template_global()
def province_options() -> list[tuple[str, str]]:
    return [(p.code, p.display_name) for p in all_provinces()]


def _int(value, default: int = 0) -> int:
    number = read_whole_number(value)
    return default if number is None else number


@bp.post("/cart/add")
def add_to_cart():
    variant_id = read_id(request.form.get("variant_id")) or 0
    # Anything that is not a whole number becomes 0, which the cart refuses with a message.
    quantity = _int(request.form.get("quantity"), 0)
    try:
        carts.set_quantity(session, signed_in_user(), variant_id, quantity, add=True)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")  # as text: a lazy message is trusted as markup
        return redirect(request.referrer or url_for("products.catalog"))
    db.session.commit()
    flash(_("Added to your cart."), "success")
    return redirect(url_for("orders.view_cart"))


@bp.get("/cart")
def view_cart():
    province = delivery_province(session, signed_in_user(), request.args.get("province"))
    groups = services.describe_cart(
        carts.read_cart(session, signed_in_user()), province_code=province, today=local_today()
    )
    return render_template(
        "orders/cart.html", groups=groups, province=province, action_form=ActionForm()
    )


@bp.post("/cart/update")
def update_cart():
    cart = carts.read_cart(session, signed_in_user())
    wanted = {}
    for variant_id in cart:
        if request.form.get(f"remove-{variant_id}"):
            wanted[variant_id] = 0
        elif f"qty-{variant_id}" in request.form:
            # Unreadable input keeps the current quantity; 0 takes the line out.
            wanted[variant_id] = _int(request.form[f"qty-{variant_id}"], cart[variant_id])
    try:
        carts.update(session, signed_in_user(), wanted)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")  # as text: a lazy message is trusted as markup
    else:
        db.session.commit()
        flash(_("Your cart has been updated."), "success")
    return redirect(url_for("orders.view_cart"))


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    """Two steps on one address: fill in and review, then place at the prices reviewed."""
    cart = carts.read_cart(session, signed_in_user())
    if not cart:
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("orders.view_cart"))
    if request.method == "GET":
        return render_template(
            "orders/checkout.html", form=prefilled_form(), quotes=None, saved=_saved_address()
        )
    form = CheckoutForm(stripe=stripe_payments.stripe_enabled())
    if request.form.get(SHOW_COMMUNES):  # a new province: list its communes, nothing more
        return render_template("orders/checkout.html", form=form, quotes=None)
    quotes = None
    if request.form.get("step") == "remove-voucher":
        form.voucher_code.data = ""
    if form.validate_on_submit():
        try:
            if request.form.get("step") == "place":
                return _place(form, cart)
            services.clean_contact(contact_from(form))
            quotes = services.quote(
                cart, province_code=form.province_code.data, today=local_today()
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            quotes = _requote(cart, form)
        _with_voucher(quotes, form)
    status = 200 if quotes and not form.errors and not form.form_errors else UNPROCESSABLE
    return render_template(
        "orders/checkout.html",
        form=form,
        quotes=quotes,
        payment_label=PAYMENT_LABELS.get(form.payment_method.data),
    ), status


def _saved_address():
    buyer = signed_in_user()
    return buyer.default_address if buyer else None


def _with_voucher(quotes, form: CheckoutForm) -> None:
    """The review's totals with the buyer's voucher code, or its refusal beside the field
    (the review then shows the totals without it)."""
    if not quotes or not (form.voucher_code.data or "").strip():
        return
    try:
        voucher_rules.apply_code(
            quotes, form.voucher_code.data, buyer=signed_in_user(), now=utcnow()
        )
    except DomainError as error:
        if error.message not in form.voucher_code.errors:  # once, when placing refused it
            show_domain_error(form, error)


def _requote(cart, form):
    try:
        return services.quote(
            cart, province_code=form.province_code.data or "01", today=local_today()
        )
    except DomainError:
        return None


def _place(form: CheckoutForm, cart: dict[int, int]):
    placed = services.place_order(
        cart,
        buyer=signed_in_user(),
        contact=contact_from(form),
        payment_method=form.payment_method.data,
        shown_prices=reviewed_figures("price-"),
        today=local_today(),
        language=current_language(),
        reviewed_totals=reviewed_figures("total-"),
        voucher_code=(form.voucher_code.data or "").strip() or None,
    )
    carts.empty(session, signed_in_user())
    db.session.commit()
    return go_to_placed(placed)


def go_to_placed(placed: Checkout):
    """After a committed checkout (the cart's, or a group join): the card payment starts,
    and the buyer goes to the checkout's page."""
    # Stripe sends the buyer back to the configured address, never to one built from the
    # request's Host or X-Forwarded-Host: the link carries the checkout's access token.
    page = url_for("orders.checkout_page", token=placed.access_token)
    return_url = current_app.config["BASE_URL"] + page
    if placed.payment_method == "stripe":
        try:
            stripe_payments.start_checkout_session(placed, return_url=return_url)
        except stripe.StripeError:
            current_app.logger.exception("Stripe Checkout could not start for %s", placed.id)
            flash(
                _("Card payment is unavailable right now; your order waits for payment."), "error"
            )
            return redirect(page)
        db.session.commit()
    # Card payers follow a link from the order page to Stripe: a form posting here may not
    # redirect to another site under this site's Content-Security-Policy (form-action 'self').
    flash(_("Thank you! Your order has been placed."), "success")
    return redirect(page)


@bp.get("/orders/c/<token>")
def checkout_page(token: str):
    """A checkout's orders: open to whoever holds its secret link (guests included)."""
    placed = db.session.scalar(
        select(Checkout)
        .where(Checkout.access_token == token)
        .options(
            selectinload(Checkout.orders).selectinload(Order.lines),
            selectinload(Checkout.orders).selectinload(Order.events),
            # Each farm's account makes its VietQR code.
            selectinload(Checkout.orders).selectinload(Order.farm).selectinload(Farm.bank_account),
        )
    )
    if placed is None:
        abort(404)
    codes = {order.id: _vietqr(order) for order in placed.orders}
    return render_template(
        "orders/checkout_done.html", checkout=placed, codes=codes, payment_labels=PAYMENT_LABELS
    )


def _vietqr_payload(order: Order) -> str | None:
    """The transfer a banking app prefills: the farm's account, the exact total, the number."""
    transfer = transfer_for(order, utcnow())  # None once cancelled, expired, paid, refunded
    return transfer.payload if transfer else None


def _vietqr(order: Order) -> str | None:
    payload = _vietqr_payload(order)
    if payload is None:
        return None
    return qr_svg(payload, label=_("VietQR code to pay order %(number)s", number=order.number))


@bp.route("/dashboard/farms/<int:farm_id>/delivery", methods=["GET", "POST"])
@login_required
def delivery_settings(farm_id: int):
    """A farm's delivery: minimum order, free threshold, pickup, and fees by province."""
    farm = get_farm_for(signed_in_user(), farm_id)
    current = delivery.settings_for(farm)
    form = DeliverySettingsForm(obj=current) if request.method == "GET" else DeliverySettingsForm()
    action = lambda: delivery.set_delivery_settings(  # noqa: E731
        farm,
        signed_in_user(),
        min_order_vnd=form.min_order_vnd.data,
        free_delivery_from_vnd=form.free_delivery_from_vnd.data,
        pickup_enabled=form.pickup_enabled.data,
        pickup_address=form.pickup_address.data,
    )
    if request.method == "POST" and submit(form, action):
        flash(_("Delivery settings saved."), "success")
        return redirect(url_for("orders.delivery_settings", farm_id=farm.id))
    return render_template(
        "orders/delivery.html",
        farm=farm,
        settings=current,
        form=form,
        zone_form=DeliveryZoneForm(formdata=None),
    ), form_status(form)


@bp.post("/dashboard/farms/<int:farm_id>/delivery/zones")
@login_required
def add_zone(farm_id: int):
    farm = get_farm_for(signed_in_user(), farm_id)
    form = DeliveryZoneForm()
    action = lambda: delivery.set_zone(  # noqa: E731
        farm,
        signed_in_user(),
        province_code=form.province_code.data,
        fee_rule=form.fee_rule.data,
        fee_vnd=form.fee_vnd.data,
        weight_step_grams=form.weight_step_grams.data,
        min_days=form.min_days.data,
        max_days=form.max_days.data,
    )
    if submit(form, action):
        flash(_("Delivery fee saved."), "success")
        return redirect(url_for("orders.delivery_settings", farm_id=farm.id))
    current = delivery.settings_for(farm)
    return render_template(
        "orders/delivery.html",
        farm=farm,
        settings=current,
        form=DeliverySettingsForm(formdata=None, obj=current),
        zone_form=form,
    ), form_status(form)


# The farm's orders ------------------------------------------------------------------------

#: The farm dashboard's tabs: which order states each one lists.
FARM_TABS = {
    "new": ("awaiting_payment", "confirmed"),
    "awaiting_payment": ("awaiting_payment",),
    "to_pack": ("confirmed",),
    "to_ship": ("packed",),
    "shipped": ("shipped",),
    "review": (),
    "all": (),
    "refunds": (),
}
#: Tabs that list by payment state instead (orders.farm_counts counts the same way).
FARM_PAYMENT_TABS = {"review": ["needs_review"], "refunds": ["refund_needed"]}


@bp.get("/dashboard/farms/<int:farm_id>/orders")
@login_required
def farm_orders(farm_id: int):
    farm = get_farm_for(signed_in_user(), farm_id)
    tab = request.args.get("tab") if request.args.get("tab") in FARM_TABS else "new"
    orders = services.orders_for_farm(
        farm,
        signed_in_user(),
        list(FARM_TABS[tab]) or None,
        # Money that came after a cancellation waits on its own tab until it is refunded;
        # a transfer of the wrong amount on its own until someone has looked at it.
        payment_statuses=FARM_PAYMENT_TABS.get(tab),
        page=read_whole_number(request.args.get("page")),
    )
    return render_template(
        "orders/farm_orders.html",
        farm=farm,
        orders=orders.items,
        page=orders,
        # What each buyer on the page is owed back, in one statement (see refunds tab).
        refunds=payouts.refund_amounts(
            [order for order in orders.items if order.payment_status == "refund_needed"]
        ),
        tab=tab,
        # Weighed goods: lighter prepaid boxes whose difference is owed back.
        weight_refunds=weight_refunds_for_farm(farm, signed_in_user()) if tab == "refunds" else [],
        action_form=ActionForm(),
        ship_form=ShipForm(formdata=None),
        cancel_form=CancelForm(formdata=None),
        payment_labels=PAYMENT_LABELS,
        today=local_today(),
    )


#: One-button steps a farm takes on an order, each a service call.
FARM_STEPS = {
    "confirm-transfer": services.confirm_transfer,
    "pack": services.pack_order,
    "deliver": services.mark_delivered,
    "cash-collected": services.record_cash_collected,
}


@bp.post("/dashboard/orders/<int:order_id>/<step>")
@login_required
def farm_order_step(order_id: int, step: str):
    order = services.get_order_for_farm(signed_in_user(), order_id)
    if step == "ship":
        form = ShipForm()
        action = lambda: services.ship_order(  # noqa: E731
            order,
            signed_in_user(),
            carrier=form.carrier.data,
            carrier_name=form.carrier_name.data,
            tracking_number=form.tracking_number.data,
            ship_early=bool(form.ship_early.data),
        )
    elif step == "cancel":
        form = CancelOrderForm()
        action = lambda: services.cancel_by_farm(order, signed_in_user(), form.reason.data)  # noqa: E731
    elif step == "refund":
        form = CancelForm()
        action = lambda: services.record_refund(order, signed_in_user(), form.reason.data)  # noqa: E731
    elif step in FARM_STEPS:
        form = ActionForm()
        action = lambda: FARM_STEPS[step](order, signed_in_user())  # noqa: E731
    else:
        abort(404)
    if submit(form, action):
        flash(_("Order %(number)s updated.", number=order.number), "success")
    else:
        # WTForms' `errors` already holds the form-level errors (under None): once each.
        for message in (str(e) for errs in form.errors.values() for e in errs):
            # Say which order, once: many refusals already name it.
            flash(message if order.number in message else f"{order.number}: {message}", "error")
    return redirect(
        url_for("orders.farm_orders", farm_id=order.farm_id, tab=request.args.get("tab", "all"))
    )


# The buyer's orders -----------------------------------------------------------------------


@bp.get("/orders")
@login_required
def my_orders():
    return render_template(
        "orders/my_orders.html", orders=services.orders_of_buyer(signed_in_user())
    )


@bp.post("/orders/c/<token>/cancel/<int:order_id>")
def buyer_cancel(token: str, order_id: int):
    order = db.get_or_404(Order, order_id)
    form = ConfirmForm()
    if submit(form, lambda: services.cancel_by_buyer(order, signed_in_user(), access_token=token)):
        flash(_("Order %(number)s is cancelled.", number=order.number), "info")
    else:
        for message in [*form.form_errors, *form.confirm.errors]:
            flash(message, "error")
    return redirect(url_for("orders.checkout_page", token=token))


@bp.get("/dashboard/orders/<int:order_id>/<any('packing-slip', 'label'):document>.pdf")
@login_required
def order_document(order_id: int, document: str):
    """The packing slip or the delivery label of one of the farm's orders, as PDF."""
    order = services.get_order_for_farm(signed_in_user(), order_id)
    build = (
        documents.packing_slip_pdf if document == "packing-slip" else documents.delivery_label_pdf
    )
    response = make_response(build(order))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{order.number}-{document}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's signed events: the only thing that marks a card payment paid."""
    if not stripe_payments.stripe_enabled():
        abort(404)
    try:
        outcome = stripe_payments.handle_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except stripe_payments.StripeRejected as rejected:
        return {"error": str(rejected)}, 400
    except DomainError:
        return _sender_retries_later()
    db.session.commit()
    return {"status": outcome}, 200


def _sender_retries_later():
    """An order moved under a notification (a person acted at the same moment): nothing is
    kept, and 409 asks Stripe or the bank to send it again, when it will see the new state."""
    db.session.rollback()
    return {"error": "order changed meanwhile; send again"}, 409


@bp.post("/payments/bank-notification")
@csrf.exempt
def bank_notification():
    """Signed credit notifications from the bank; disabled until a shared secret is set."""
    secret = current_app.config.get("BANK_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    try:
        notification = bank_notifications.verify(
            secret,
            request.headers.get("X-Nongsan-Timestamp"),
            request.headers.get("X-Nongsan-Signature"),
            request.get_data(cache=False),
        )
    except bank_notifications.RejectedNotification as rejected:
        return {"error": str(rejected)}, 400
    try:
        credit = bank_notifications.record_credit(notification)
    except DomainError:
        return _sender_retries_later()
    db.session.commit()
    if credit is None:
        return {"status": "duplicate"}, 200
    return {"status": credit.outcome}, 200


def _report_period() -> tuple[date, date]:
    days = min(max(_int(request.args.get("days"), 30), 1), 366)
    last = local_today()
    return last - timedelta(days=days - 1), last


@bp.get("/dashboard/farms/<int:farm_id>/reports")
@login_required
def farm_reports(farm_id: int):
    farm = get_farm_for(signed_in_user(), farm_id)
    first, last = _report_period()
    by_day, by_product = reports.figures(farm, signed_in_user(), first, last)
    return render_template(
        "orders/reports.html",
        balance=stripe_payments.farm_balance(farm),
        statement=payouts.statement(farm, signed_in_user()),
        farm=farm,
        by_day=by_day,
        by_product=by_product,
        first=first,
        last=last,
        days=(last - first).days + 1,
    )


@bp.get("/dashboard/farms/<int:farm_id>/reports.csv")
@login_required
def farm_reports_csv(farm_id: int):
    farm = get_farm_for(signed_in_user(), farm_id)
    first, last = _report_period()
    response = make_response(
        reports.figures_csv(*reports.figures(farm, signed_in_user(), first, last))
    )
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{farm.slug}-{first.isoformat()}-{last.isoformat()}.csv"'
    )
    return response
