"""Label stocks named as people read them, in their language: "A4 · 65 labels 38.1 × 21.2 mm"
("A4 · 65 tem 38,1 × 21,2 mm"), never their id (`a4-65`). Built from the stock's own
figures, so a new stock needs no new text."""

from __future__ import annotations

from flask_babel import LazyString, ngettext
from flask_babel import gettext as _

from app.i18n import format_amount
from traceability.label_formats import FORMATS, LabelFormat


def _size(width_mm: float, height_mm: float) -> dict[str, str]:
    return {"width": format_amount(width_mm), "height": format_amount(height_mm)}


def format_name(fmt: LabelFormat) -> str:
    label = _size(fmt.label_width_mm, fmt.label_height_mm)
    if not fmt.is_sheet:
        return _("Thermal roll · labels %(width)s × %(height)s mm", **label)
    page = (
        "A4"
        if fmt.is_a4
        else _("%(width)s × %(height)s mm", **_size(fmt.page_width_mm, fmt.page_height_mm))
    )
    return ngettext(
        "%(page)s · %(num)d label %(width)s × %(height)s mm",
        "%(page)s · %(num)d labels %(width)s × %(height)s mm",
        fmt.labels_per_page,
        page=page,
        **label,
    )


def format_name_by_id(format_id: str) -> str:
    """A stored run's stock by its id; an id no longer listed is shown as it is."""
    found = FORMATS.get(format_id)
    return format_name(found) if found else format_id


def format_choices() -> list[tuple[str, LazyString]]:
    """(id, name) of every stock for a select, named in the language of the request."""
    return [(fmt.id, LazyString(format_name, fmt)) for fmt in FORMATS.values()]
