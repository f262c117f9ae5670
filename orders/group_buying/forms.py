"""The farm's group-offer form and the buyer's join form: input shape and messages; the
rules live in orders.group_buying.services."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from app.clock import VIETNAM
from app.form_fields import Form, choice_field, text_field
from orders.forms import CheckoutForm
from orders.group_buying.models import GroupGoal

GOAL_LABELS = {
    GroupGoal.BUYERS: _l("Buyers"),
    GroupGoal.BOXES: _l("Boxes"),
}
#: What a phone's date-and-time picker sends, and what people type.
DEADLINE_FORMATS = ("%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M")


def read_local_deadline(text: str | None) -> datetime | None:
    """A time in Vietnam (as the farm typed it) as an aware datetime; None if unreadable."""
    for pattern in DEADLINE_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), pattern).replace(tzinfo=VIETNAM)
        except ValueError:
            continue
    return None


def local_deadline_input(moment: datetime) -> str:
    """A UTC moment as the date-and-time picker shows it, in Vietnam's time."""
    return moment.astimezone(VIETNAM).strftime(DEADLINE_FORMATS[0])


class GroupOfferForm(Form):
    variant = choice_field(_l("Product"), [], message=_l("Choose one of your products."))
    group_price_vnd = text_field(
        _l("Group price (đồng)"), 20, render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    goal = choice_field(
        _l("The group succeeds with at least"),
        [(goal.value, label) for goal, label in GOAL_LABELS.items()],
    )
    min_count = text_field(_l("How many (buyers or boxes)"), 6, render_kw={"inputmode": "numeric"})
    max_boxes = text_field(
        _l("Most boxes at the group price (empty: the stock)"),
        6,
        required=False,
        render_kw={"inputmode": "numeric"},
    )
    deadline = text_field(_l("Closes at (Vietnam time)"), 20, render_kw={"type": "datetime-local"})

    def __init__(self, *args, variants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.variant.choices = [SelectChoice(str(v.id), label) for v, label in variants]
        # Any of the farm's variants; the service says which one may have an offer.
        self.variant.validators = [
            AnyOf([str(v.id) for v, _ in variants], message=_l("Choose one of your products."))
        ]


class JoinForm(CheckoutForm):
    """The checkout's contact and payment, and how many to order at the group price."""

    quantity = text_field(_l("How many"), 4, default="1", render_kw={"inputmode": "numeric"})
