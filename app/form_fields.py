"""The base form, the generic action forms and the field helpers shared by every domain's
forms, so messages and limits read the same."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # FlaskForm's "read the request" default for formdata
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, FileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, StopValidation

from app.geo import all_provinces
from app.i18n import format_amount
from app.validation import read_vnd

REQUIRED = _l("This field is required.")
TOO_LONG = _l("This is too long.")
BAD_DATE = _l("Write the date as day/month/year, e.g. 01/06/2026.")
BAD_VND = _l("Write the amount in whole đồng, e.g. 125.000 or 125000 (no decimals).")


class Form(FlaskForm):
    """Every form's base: each field reads only what an HTML form sends for its kind.

    Flask-WTF hands fields request.files and request.form together, and a JSON body as form
    data, so a text field could receive an uploaded file (or a number, or a list) and fail
    in its validators. Here a file field sees only files and every other field only text:
    anything else is simply missing, and the form answers with its usual messages.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto:  # the caller chose the data (or None)
                return formdata
            if not form.is_submitted():
                return None
            files = {field.name for field in form if isinstance(field, FileField)}
            data = MultiDict(
                (name, value) for name, value in request.form.items(multi=True) if name not in files
            )
            for name in files & set(request.files):
                data.setlist(name, request.files.getlist(name))
            return data or None  # as Flask-WTF: nothing sent is no form data


class ActionForm(Form):
    """A button that changes state: only the CSRF token travels."""


class ConfirmForm(Form):
    """An action that cannot be undone (remove, cancel, recall): the person ticks a box
    first, so a stray tap changes nothing, with or without JavaScript."""

    confirm = BooleanField(
        _l("Yes, I am sure"), [DataRequired(message=_l("Tick the box to confirm."))]
    )


def text_field(label, max_length: int, *, required: bool = True, **kwargs) -> StringField:
    checks = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, [*checks, Length(max=max_length, message=TOO_LONG)], **kwargs)


def long_text_field(label, max_length: int, **kwargs) -> TextAreaField:
    return TextAreaField(label, [Optional(), Length(max=max_length, message=TOO_LONG)], **kwargs)


def choice_field(
    label, choices: list[tuple[str, str]], *, required: bool = True, message=None
) -> SelectField:
    """A select whose value must be one of the choices (an empty one only when optional)."""
    values = [value for value, _ in choices if value or not required]
    return SelectField(
        label,
        choices=[SelectChoice(value, text) for value, text in choices],
        validate_choice=False,
        validators=[AnyOf(values, message=message or _l("Choose one of the options."))],
    )


class LocalDateField(DateField):
    """A date typed by a browser's date picker (2026-06-01) or by hand (01/06/2026)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(BAD_DATE)) from exc


def date_field(label, *, required: bool = True) -> LocalDateField:
    checks = [InputRequired(REQUIRED)] if required else [Optional()]
    return LocalDateField(label, checks, format=["%Y-%m-%d", "%d/%m/%Y"])


def province_choices(blank_label=None) -> list[tuple[str, str]]:
    blank = [("", blank_label or _l("Choose a province or city"))]
    return blank + [(p.code, p.display_name) for p in all_provinces()]


class VndField(StringField):
    """An amount in whole đồng as a farmer types it: "125.000", "125,000", "125 000",
    "125000", "125.000 ₫". Its data is the integer (None when left empty); it shows a stored
    amount grouped as the page's language writes it ("125.000"), and what was typed when it
    was refused. Every price, fee and threshold a farm types uses it."""

    def __init__(self, label=None, *, required: bool = True, **kwargs):
        self.required = required
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        validators = [] if required else [Optional()]
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_data(self, value) -> None:
        # From an object or the view's defaults: a stored int, or the text of one.
        self.data = value if isinstance(value, int) or value is None else read_vnd(value)

    def process_formdata(self, valuelist) -> None:
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        self.data = None
        if text:
            self.data = read_vnd(text)
            if self.data is None:
                raise ValueError(str(BAD_VND))

    def pre_validate(self, form) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise StopValidation(str(REQUIRED))

    def _value(self) -> str:
        if self.raw_data and (self.process_errors or self.data is None):
            return self.raw_data[0] if isinstance(self.raw_data[0], str) else ""
        return format_amount(self.data) if isinstance(self.data, int) else ""


def vnd_field(label, *, required: bool = True) -> VndField:
    return VndField(label, required=required)
