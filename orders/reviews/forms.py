"""The review, reply, report and hide forms: input shape only; the rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.form_fields import REQUIRED, TOO_LONG, Form
from orders.reviews.services import REASON_LIMIT, REPLY_LIMIT, TEXT_LIMIT

STAR_CHOICES = [SelectChoice(str(n), str(n)) for n in (5, 4, 3, 2, 1)]


def _star_count(value) -> int | None:
    """1 to 5 as sent; anything else is missing, and DataRequired says what to do."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


class ReviewForm(Form):
    stars = RadioField(
        _l("Stars"),
        choices=STAR_CHOICES,
        coerce=_star_count,
        validators=[DataRequired(_l("Choose from 1 to 5 stars."))],
        validate_choice=False,
    )
    text = TextAreaField(_l("Your review"), [Optional(), Length(max=TEXT_LIMIT, message=TOO_LONG)])
    photos = MultipleFileField(_l("Photos (up to 3)"))


class ReplyForm(Form):
    reply = TextAreaField(
        _l("Reply from the farm"),
        [DataRequired(REQUIRED), Length(max=REPLY_LIMIT, message=TOO_LONG)],
    )


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Reason"), [DataRequired(REQUIRED), Length(max=REASON_LIMIT, message=TOO_LONG)]
    )
