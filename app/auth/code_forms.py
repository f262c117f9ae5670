"""Forms of the one-time code pages: ask for a code, type it back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.auth.forms import _new_password_fields, phone_channel_field
from app.form_fields import REQUIRED, TOO_LONG, Form

_SIX_DIGITS = _l("Type the 6 digits of the code.")


def _code_field() -> StringField:
    return StringField(
        _l("Code"),
        [
            DataRequired(REQUIRED),
            Length(max=12, message=TOO_LONG),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_SIX_DIGITS),
        ],
    )


class PasswordCodeForm(Form):
    code = _code_field()
    password, confirm = _new_password_fields()


class SendCodeForm(Form):
    #: Ignored for an e-mail address, which gets its code by mail.
    channel = phone_channel_field()


class ContactCodeForm(Form):
    code = _code_field()
