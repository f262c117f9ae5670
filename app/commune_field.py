"""The commune-or-ward select of the address forms: its options are the communes of the
province the form carries, so the page works without JavaScript."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from app.geo import communes_of, province_by_code

#: The button that lists the communes of a newly chosen province, saving nothing.
SHOW_COMMUNES = "show_communes"


def commune_field() -> SelectField:
    # The service checks that the value is a commune of the province (with a clearer message).
    return SelectField(
        _l("Commune or ward"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose your commune or ward from the list."))],
    )


def list_communes(field: SelectField, province_code: str | None) -> None:
    """Offer the communes of this province, or ask for the province first."""
    if province_by_code(province_code) is None:
        blank = _l("Choose the province or city first")
    else:
        blank = _l("Choose the commune or ward")
    field.choices = [SelectChoice("", blank)] + [
        SelectChoice(c.code, c.name) for c in communes_of(province_code)
    ]
