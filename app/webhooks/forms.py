"""The form that registers an endpoint, and the labels of the event types."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice

from app.form_fields import Form, text_field
from app.webhooks.address_guard import MAX_URL_LENGTH
from app.webhooks.models import EventType

EVENT_LABELS = {
    EventType.ORDER_PLACED: _l("An order is placed"),
    EventType.ORDER_PAID: _l("An order is paid"),
    EventType.ORDER_CANCELLED: _l("An order is cancelled"),
    EventType.ORDER_SHIPPED: _l("An order is shipped"),
    EventType.BATCH_RECALLED: _l("A batch is recalled"),
    EventType.CERTIFICATE_EXPIRING: _l("A certificate expires in 30 days"),
}


class EndpointForm(Form):
    url = text_field(_l("Address (https://…)"), MAX_URL_LENGTH)
    event_types = SelectMultipleField(
        _l("Events to send"),
        choices=[SelectChoice(kind.value, label) for kind, label in EVENT_LABELS.items()],
        validate_choice=False,
    )
