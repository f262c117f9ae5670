"""The form that makes an API token: a personal one (profile) or a farm key (farm settings)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from app.auth.api_scopes import SCOPES
from app.auth.api_tokens import LIFETIME_CHOICES
from app.form_fields import Form, text_field

_LIFETIME_LABELS = {30: _l("30 days"), 90: _l("90 days"), 365: _l("1 year")}


class ApiTokenForm(Form):
    """Name, permissions and lifetime; the service decides which permissions the account may
    give (the checkboxes only offer those)."""

    name = text_field(_l("Name"), 80)
    scopes = SelectMultipleField(_l("Permissions"), validate_choice=False)
    expires_in_days = RadioField(
        _l("Expires after"),
        choices=[SelectChoice(str(days), _LIFETIME_LABELS[days]) for days in LIFETIME_CHOICES],
        default="90",
        validate_choice=False,
        validators=[
            AnyOf(
                [str(days) for days in LIFETIME_CHOICES], message=_l("Choose one of the options.")
            )
        ],
    )

    def __init__(self, *args, offered: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [
            SelectChoice(name, SCOPES[name]) for name in SCOPES if name in offered
        ]

    @property
    def lifetime_days(self) -> int:
        return int(self.expires_in_days.data)

    @property
    def chosen_scopes(self) -> set[str]:
        return {str(scope) for scope in self.scopes.data or []}
