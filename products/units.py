"""How a variant's unit reads to a buyer: "kg", "Hộp 2 kg", "Quả", or the farmer's own word."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.i18n import format_amount
from products.models import Unit, Variant

UNIT_LABELS = {
    Unit.KG: _l("kg"),
    Unit.BOX: _l("Box"),
    Unit.BAG: _l("Bag"),
    Unit.JAR: _l("Jar"),
    Unit.GIFT_BOX: _l("Gift box"),
    Unit.PIECE: _l("Piece"),
    Unit.CUSTOM: _l("Other unit"),
}

#: Units that hold a set weight, written after the unit: "Hộp 2 kg".
PACKED_UNITS = {Unit.BOX, Unit.BAG, Unit.JAR, Unit.GIFT_BOX}


def unit_label(variant: Variant) -> str:
    if variant.unit == Unit.CUSTOM:
        return variant.custom_unit or ""
    label = str(UNIT_LABELS.get(variant.unit, variant.unit))
    if variant.unit in PACKED_UNITS and variant.pack_kg:
        return f"{label} {format_amount(variant.pack_kg)} kg"
    return label
