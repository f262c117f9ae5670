"""Account forms: the shape of the input and its messages. Rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from app.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.commune_field import commune_field, list_communes
from app.form_fields import REQUIRED, TOO_LONG, Form, choice_field, province_choices, text_field

_PASSWORD_LENGTH = _l(
    "The password must have between %(min)d and %(max)d characters.",
    min=MIN_PASSWORD_LENGTH,
    max=MAX_PASSWORD_LENGTH,
)
_PASSWORDS_DIFFER = _l("The two passwords are not the same.")
_CHOOSE_PROVINCE = _l("Choose a province or city from the list.")
LANGUAGE_CHOICES = [("vi", "Tiếng Việt"), ("en", "English")]


def _identifier_field():
    return text_field(_l("Phone number or e-mail"), 254)


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        [
            DataRequired(REQUIRED),
            Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH, message=_PASSWORD_LENGTH),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        [DataRequired(REQUIRED), EqualTo("password", message=_PASSWORDS_DIFFER)],
    )
    return password, confirm


class SignupForm(Form):
    full_name = text_field(_l("Full name"), 120)
    identifier = _identifier_field()
    password, confirm = _new_password_fields()
    account_type = RadioField(
        _l("I want to"),
        choices=[
            SelectChoice("buyer", _l("Buy produce")),
            SelectChoice("farmer", _l("Sell my farm's produce")),
        ],
        default="buyer",
        validate_choice=False,
        validators=[AnyOf(["buyer", "farmer"], message=_l("Choose one of the options."))],
    )


class LoginForm(Form):
    identifier = _identifier_field()
    password = PasswordField(
        _l("Password"),
        [DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )
    remember = BooleanField(_l("Remember me on this device"))


class ProfileForm(Form):
    full_name = text_field(_l("Full name"), 120)
    phone = text_field(_l("Mobile number"), 30, required=False)
    email = text_field(_l("E-mail"), 254, required=False)
    preferred_language = choice_field(
        _l("Language"), LANGUAGE_CHOICES, message=_l("Unknown language.")
    )


class MessageChannelsForm(Form):
    """Where messages reach the person: ticked channels; the service checks the addresses."""

    channels = SelectMultipleField(
        _l("Send me messages by"),
        choices=[
            SelectChoice("email", _l("E-mail")),
            SelectChoice("zalo", "Zalo"),
            SelectChoice("sms", "SMS"),
        ],
        validate_choice=False,
    )


class AddressForm(Form):
    recipient_name = text_field(_l("Recipient's name"), 120)
    address_phone = text_field(_l("Recipient's mobile number"), 30)
    province_code = choice_field(
        _l("Province or city"), province_choices(), message=_CHOOSE_PROVINCE
    )
    commune = commune_field()
    street = text_field(_l("Street, house number, hamlet"), 255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        list_communes(self.commune, self.province_code.data)


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        [DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )
    password, confirm = _new_password_fields()


def phone_channel_field():
    """How a code goes to a phone: Zalo (what most people read) or SMS."""
    return RadioField(
        _l("Send the code by"),
        choices=[SelectChoice("zalo", "Zalo"), SelectChoice("sms", _l("SMS (text message)"))],
        default="zalo",
        validate_choice=False,
        validators=[AnyOf(["zalo", "sms"], message=_l("Choose Zalo or SMS."))],
    )


class ForgotPasswordForm(Form):
    identifier = _identifier_field()
    #: Used when the identifier is a phone number: a code goes there instead of a mailed link.
    channel = phone_channel_field()


class ResetPasswordForm(Form):
    password, confirm = _new_password_fields()


class EndSessionsForm(Form):
    """Signs out every other device: only its CSRF token."""


def _scope_field():
    return choice_field(
        _l("Scope"), province_choices(blank_label=_l("Whole country")), required=False
    )


class PromoteOperatorForm(Form):
    """A country-wide operator makes an existing account an operator of a scope."""

    identifier = _identifier_field()
    scope = _scope_field()


class OperatorScopeForm(Form):
    scope = _scope_field()
