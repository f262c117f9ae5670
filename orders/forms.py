"""Checkout forms: input shape and messages. The rules live in orders.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from app.commune_field import commune_field, list_communes
from app.form_fields import Form, choice_field, province_choices, text_field, vnd_field
from orders.carriers import carrier_choices
from orders.delivery import DEFAULT_DAYS
from orders.states import PaymentMethod

PAYMENT_LABELS = {
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer (VietQR)"),
    PaymentMethod.CASH_ON_DELIVERY: _l("Cash on delivery"),
    PaymentMethod.STRIPE: _l("Card (Stripe)"),
}


class CheckoutForm(Form):
    name = text_field(_l("Full name"), 120)
    phone = text_field(_l("Mobile number"), 30)
    email = text_field(_l("E-mail (for the order confirmation)"), 254, required=False)
    province_code = choice_field(
        _l("Province or city"),
        province_choices(),
        message=_l("Choose a province or city from the list."),
    )
    commune = commune_field()
    street = text_field(_l("Street, house number, hamlet"), 255)
    payment_method = RadioField(
        _l("How will you pay?"), default=PaymentMethod.BANK_TRANSFER.value, validate_choice=False
    )
    #: Shown on the review; orders.vouchers.rules checks it there and again at place.
    voucher_code = text_field(_l("Voucher code"), 40, required=False)

    def __init__(self, *args, stripe: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        list_communes(self.commune, self.province_code.data)
        # Bank transfer and cash always; card only when Stripe is configured.
        methods = [PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH_ON_DELIVERY]
        if stripe:
            methods.append(PaymentMethod.STRIPE)
        self.payment_method.choices = [SelectChoice(m.value, PAYMENT_LABELS[m]) for m in methods]
        self.payment_method.validators = [
            AnyOf([m.value for m in methods], message=_l("Choose how to pay."))
        ]


class DeliverySettingsForm(Form):
    min_order_vnd = vnd_field(_l("Minimum order (đồng)"), required=False)
    free_delivery_from_vnd = vnd_field(_l("Free delivery from (đồng)"), required=False)
    pickup_enabled = BooleanField(_l("Buyers may collect at the farm"))
    pickup_address = text_field(_l("Where to collect"), 255, required=False)


class DeliveryZoneForm(Form):
    province_code = choice_field(
        _l("Province or city"),
        [("00", _l("Every other province"))] + province_choices()[1:],
        message=_l("Choose a province or city from the list."),
    )
    fee_rule = choice_field(
        _l("Fee"),
        [
            ("flat", _l("The same fee for each order")),
            ("per_weight", _l("A fee for each started weight step")),
        ],
    )
    fee_vnd = vnd_field(_l("Fee (đồng)"))
    weight_step_grams = text_field(_l("Weight step (grams), e.g. 5000"), 10, required=False)
    min_days = text_field(_l("Arrives after at least (days)"), 3, default=str(DEFAULT_DAYS[0]))
    max_days = text_field(_l("Arrives after at most (days)"), 3, default=str(DEFAULT_DAYS[1]))


class ShipForm(Form):
    carrier = choice_field(
        _l("Carrier"), carrier_choices(), message=_l("Choose the carrier from the list.")
    )
    #: Only read when the carrier is "other".
    carrier_name = text_field(_l("Carrier's name, if other"), 80, required=False)
    tracking_number = text_field(_l("Tracking number"), 80, required=False)
    #: Only asked for a pre-order shipped before its date.
    ship_early = BooleanField(_l("Ship early and tell the buyer"))


class CancelForm(Form):
    reason = text_field(_l("Reason"), 500)


class CancelOrderForm(CancelForm):
    """The farm cancels an order: never on one tap (see app.form_fields.ConfirmForm)."""

    confirm = BooleanField(
        _l("Yes, I am sure"), [DataRequired(message=_l("Tick the box to confirm."))]
    )


class PayoutForm(Form):
    """One per farm on the operators' payouts page (prefixed with the farm's id)."""

    amount = text_field(_l("Amount transferred (₫)"), 20)
    reference = text_field(_l("Transfer reference"), 100)


class FindOrderForm(Form):
    """A guest's order look-up: the phone given at checkout and the order number."""

    phone = text_field(_l("Mobile number given with the order"), 30)
    number = text_field(_l("Order number, e.g. NS000123"), 30)
