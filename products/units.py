"""How a variant's unit reads to a buyer: "kg", "Hộp 2 kg", "Quả", or the farmer's own word.

An order line keeps the label it was bought under, in Vietnamese (`stored_unit_label`), as
history; pages and mails show it in the reader's language (`translate_unit_label`): the unit
word is translated and the weight kept.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_decimal_symbol
from flask import current_app
from flask_babel import force_locale
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

#: A stored label: the unit word, then the weight of a packed unit ("Hộp quà 1,5 kg").
_STORED = re.compile(r"(?P<word>.+?)(?: (?P<amount>\d[\d.,]*) kg)?")


def unit_label(variant: Variant) -> str:
    if variant.unit == Unit.CUSTOM:
        return variant.custom_unit or ""
    label = str(UNIT_LABELS.get(variant.unit, variant.unit))
    if variant.unit in PACKED_UNITS and variant.pack_kg:
        return f"{label} {format_amount(variant.pack_kg)} kg"
    return label


def stored_unit_label(variant: Variant) -> str:
    """The label an order line keeps: in the default language (Vietnamese), whichever
    language the buyer read, so that history reads the same and can be translated."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return unit_label(variant)


@cache
def _unit_words(languages: tuple[str, ...]) -> dict[str, tuple[Unit, str]]:
    """Each unit's word in every language, lower-cased, with the decimal sign that language
    writes its weight with ("1,5" in Vietnamese)."""
    words: dict[str, tuple[Unit, str]] = {}
    for language in languages:
        with force_locale(language):
            for unit, label in UNIT_LABELS.items():
                if unit != Unit.CUSTOM:
                    words.setdefault(str(label).lower(), (unit, get_decimal_symbol(language)))
    return words


def translate_unit_label(stored: str) -> str:
    """A stored label ("Hộp 2 kg", "Quả", or an English one from before) in the reader's
    language ("Box 2 kg", "Piece"); a farmer's own word stays as written."""
    match = _STORED.fullmatch(stored or "")
    languages = tuple(current_app.config["LANGUAGES"])
    found = _unit_words(languages).get(match["word"].lower()) if match else None
    if found is None:
        return stored or ""
    unit, decimal_sign = found
    label = str(UNIT_LABELS[unit])
    if match["amount"] is None:
        return label
    digits = match["amount"].replace("." if decimal_sign == "," else ",", "")
    try:
        amount = Decimal(digits.replace(decimal_sign, "."))
    except InvalidOperation:
        return stored
    return f"{label} {format_amount(amount)} kg"
