"""What a checkout request carries, read once for the cart's checkout and a group join:
the address form filled in from the buyer's saved address, the contact a filled form
gives, and the figures the review page showed."""

from __future__ import annotations

from flask import request

from app.geo import province_by_code
from app.validation import read_id, read_whole_number
from app.web import signed_in_user
from orders import stripe_payments
from orders.forms import CheckoutForm
from orders.services import Contact


def prefilled_form(form_class: type[CheckoutForm] = CheckoutForm) -> CheckoutForm:
    """The buyer's saved address, in the province chosen in the cart when there was one
    (`form_class`: the checkout's form, or one built on it such as a group join's)."""
    buyer = signed_in_user()
    address = buyer.default_address if buyer else None
    carried = request.args.get("province")
    province = carried if province_by_code(carried) else None
    if address is None:
        return form_class(
            stripe=stripe_payments.stripe_enabled(),
            formdata=None,
            name=buyer.full_name if buyer else None,
            phone=buyer.display_phone if buyer else None,
            email=buyer.email if buyer else None,
            province_code=province,
        )
    province = province or address.province_code
    return form_class(
        stripe=stripe_payments.stripe_enabled(),
        formdata=None,
        name=address.recipient_name,
        phone=address.phone,
        email=buyer.email,
        province_code=province,
        # A commune of another province, or one never matched to the list, is chosen again.
        commune=address.commune_code if address.province_code == province else None,
        street=address.street,
    )


def contact_from(form: CheckoutForm) -> Contact:
    return Contact(
        name=form.name.data,
        phone=form.phone.data,
        email=form.email.data,
        province_code=form.province_code.data,
        commune=form.commune.data,
        street=form.street.data,
    )


def reviewed_figures(prefix: str) -> dict[int, int]:
    """What the review page showed and the browser sends back with "Place": its hidden
    `<prefix><id>` fields (prices by variant, totals by farm). The tab the buyer pressed
    "Place" in is the one that counts; anything unreadable reads as 0 or is left out, so
    it counts as changed."""
    shown = {
        read_id(key[len(prefix) :]): read_whole_number(value) or 0
        for key, value in request.form.items()
        if key.startswith(prefix)
    }
    return {row_id: figure for row_id, figure in shown.items() if row_id is not None}
