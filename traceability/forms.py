"""Batch forms: input shape and messages. The rules live in traceability.services."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, MultipleFileField, StringField
from wtforms.fields import FileField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional

from app.form_fields import ConfirmForm, Form, choice_field, long_text_field, text_field
from traceability.diary import KIND_FIELDS
from traceability.label_format_names import format_choices
from traceability.models import EventKind


class BatchForm(Form):
    product_id = choice_field(_l("Product"), [])
    growing_area_id = choice_field(_l("Growing area"), [("", _l("None"))], required=False)
    code = text_field(_l("Batch code"), 20)

    def offer(self, farm, products) -> None:
        """Only the farm's own products and areas; the service checks the choice again."""
        self._choose(self.product_id, [(str(p.id), p.name) for p in products])
        areas = [("", _l("None"))] + [(str(a.id), a.name) for a in farm.growing_areas]
        self._choose(self.growing_area_id, areas)

    @staticmethod
    def _choose(field, choices) -> None:
        field.choices = [SelectChoice(value, text) for value, text in choices]
        field.validators = [
            AnyOf([value for value, _ in choices], message=_l("Choose one of the options."))
        ]


class EventFormBase(Form):
    occurred_at = StringField(_l("When"), [Length(max=30)])
    place = text_field(_l("Where (if not the growing area)"), 200, required=False)
    note = long_text_field(_l("Note"), 2000)
    photos = MultipleFileField(_l("Photos (up to 4)"))
    corrects_id = HiddenField()
    phi_override_reason = text_field(
        _l("Operator: harvest inside the interval because…"), 300, required=False
    )


@cache
def event_form_class(kind: EventKind) -> type[EventFormBase]:
    """The recording form of one kind: the common fields plus the kind's own."""
    fields = {}
    for spec in KIND_FIELDS[kind]:
        render = {"placeholder": str(spec.placeholder)} if spec.placeholder else {}
        if spec.type in ("whole", "decimal"):
            render["inputmode"] = "numeric" if spec.type == "whole" else "decimal"
        fields[spec.name] = StringField(
            spec.label, [Optional(), Length(max=spec.max_length)], render_kw=render
        )
    if kind == EventKind.INSPECTION:
        fields["report"] = FileField(_l("Test report (PDF or photo)"))
    return type(f"{kind.value.title()}EventForm", (EventFormBase,), fields)


class LabelsForm(Form):
    format = choice_field(_l("Label format"), format_choices())
    count = text_field(_l("How many labels"), 6)


class RecallForm(ConfirmForm):
    """Never one tap: the reason is what every buyer who received the batch reads."""

    reason = long_text_field(_l("Why is the batch recalled?"), 1000)
