"""Pages of the traceability domain, one blueprint in two modules: the public trace pages
(what a label's QR opens, and the EPCIS export) and the farm's batch dashboard."""

from flask import Blueprint

from traceability.diary import KIND_FIELDS, kind_label
from traceability.label_format_names import format_name_by_id
from traceability.models import BATCH_STATUS_LABELS, BatchStatus, EventKind

bp = Blueprint("traceability", __name__, template_folder="../templates")

bp.add_app_template_global(kind_label, "event_kind_label")
# A label stock as people read it ("A4 · 24 labels 70 × 37 mm"), not its id.
bp.add_app_template_global(format_name_by_id, "label_format_name")


@bp.app_template_global()
def batch_status_label(status: str) -> str:
    try:
        return str(BATCH_STATUS_LABELS[BatchStatus(status)])
    except ValueError:
        return status


@bp.app_template_global()
def event_details(event) -> list[tuple[str, str]]:
    """The event's own fields as (label, value) rows, in the diary's order."""
    values = event.details or {}
    return [
        (str(spec.label), str(values[spec.name]))
        for spec in KIND_FIELDS.get(EventKind(event.kind), ())
        if spec.name in values
    ]


@bp.app_template_global()
def kind_fields(kind):
    return KIND_FIELDS[EventKind(kind)]


@bp.app_template_global()
def line_origins(orders) -> dict[int, list]:
    """The batches each line of these orders was packed from, by line id: one statement for
    a whole page (the buyer's and the farm's), which orders cannot ask for itself since it
    does not know traceability."""
    from traceability.allocation import batches_of_lines

    return batches_of_lines(line.id for order in orders for line in order.lines)


@bp.app_template_global()
def photo_thumb(display_key: str) -> str:
    """The thumbnail stored beside a display photo (app/images.py names them in pairs)."""
    return display_key.replace("-display.webp", "-thumb.webp")


from traceability.views import dashboard, public  # noqa: E402, F401
