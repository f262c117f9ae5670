"""Account forms: the shape of the input and its messages. Rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, EqualTo, InputRequired, Length, Optional

from app.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.geo import all_provinces

_REQUIRED = _l("This field is required.")
_TOO_LONG = _l("This is too long.")
_PASSWORD_LENGTH = _l(
    "The password must have between %(min)d and %(max)d characters.",
    min=MIN_PASSWORD_LENGTH,
    max=MAX_PASSWORD_LENGTH,
)
_PASSWORDS_DIFFER = _l("The two passwords are not the same.")
LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


def _name_field(label):
    return StringField(label, [DataRequired(_REQUIRED), Length(max=120, message=_TOO_LONG)])


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        [
            DataRequired(_REQUIRED),
            Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH, message=_PASSWORD_LENGTH),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        [DataRequired(_REQUIRED), EqualTo("password", message=_PASSWORDS_DIFFER)],
    )
    return password, confirm


class SignupForm(FlaskForm):
    full_name = _name_field(_l("Full name"))
    identifier = StringField(
        _l("Phone number or e-mail"),
        [DataRequired(_REQUIRED), Length(max=254, message=_TOO_LONG)],
    )
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


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Phone number or e-mail"),
        [DataRequired(_REQUIRED), Length(max=254, message=_TOO_LONG)],
    )
    password = PasswordField(
        _l("Password"),
        [DataRequired(_REQUIRED), Length(max=MAX_PASSWORD_LENGTH, message=_TOO_LONG)],
    )
    remember = BooleanField(_l("Remember me on this device"))


class ProfileForm(FlaskForm):
    full_name = _name_field(_l("Full name"))
    phone = StringField(_l("Mobile number"), [Optional(), Length(max=30, message=_TOO_LONG)])
    email = StringField(_l("E-mail"), [Optional(), Length(max=254, message=_TOO_LONG)])
    preferred_language = SelectField(
        _l("Language"),
        choices=LANGUAGE_CHOICES,
        validate_choice=False,
        validators=[AnyOf(["vi", "en"], message=_l("Unknown language."))],
    )


def province_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose a province or city"))] + [
        SelectChoice(p.code, p.display_name) for p in all_provinces()
    ]


class AddressForm(FlaskForm):
    recipient_name = _name_field(_l("Recipient's name"))
    address_phone = StringField(
        _l("Recipient's mobile number"),
        [DataRequired(_REQUIRED), Length(max=30, message=_TOO_LONG)],
    )
    province_code = SelectField(
        _l("Province or city"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose a province or city from the list."))],
    )
    commune = StringField(
        _l("Commune or ward"), [DataRequired(_REQUIRED), Length(max=120, message=_TOO_LONG)]
    )
    street = StringField(
        _l("Street, house number, hamlet"),
        [DataRequired(_REQUIRED), Length(max=255, message=_TOO_LONG)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = province_choices()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        [DataRequired(_REQUIRED), Length(max=MAX_PASSWORD_LENGTH, message=_TOO_LONG)],
    )
    password, confirm = _new_password_fields()


class ForgotPasswordForm(FlaskForm):
    identifier = StringField(
        _l("Phone number or e-mail"),
        [DataRequired(_REQUIRED), Length(max=254, message=_TOO_LONG)],
    )


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
