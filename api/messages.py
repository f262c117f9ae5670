"""marshmallow's validation messages in the caller's language.

marshmallow writes its messages in English, some with values filled in ("Must be greater than
or equal to 1 and less than or equal to 200."). Each known message is matched here and said
again through the catalogue, values kept; an unknown one stays as marshmallow wrote it.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

#: Messages marshmallow writes as they are.
_FIXED = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be empty (null)."),
    "Invalid value.": _l("This value is not valid."),
    "Invalid type.": _l("This value has the wrong type."),
    "Unknown field.": _l("This field is not one the operation takes."),
    "Not a valid string.": _l("Not a valid text."),
    "Not a valid integer.": _l("Not a valid whole number."),
    "Not a valid number.": _l("Not a valid number."),
    "Not a valid boolean.": _l("Not a valid true/false value."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid object."),
    "Not a valid date.": _l("Not a valid date (YYYY-MM-DD)."),
    "Not a valid datetime.": _l("Not a valid time (RFC 3339, with a time zone)."),
    "Not a valid URL.": _l("Not a valid URL."),
    "Not a valid email address.": _l("Not a valid e-mail address."),
    "Not a valid UUID.": _l("Not a valid UUID."),
    "Invalid input.": _l("This value is not valid."),
    "String does not match expected pattern.": _l("This text does not have the expected form."),
    "Invalid JSON body.": _l("The body is not valid JSON."),
}

#: Messages with values in them: (pattern, message with the same named values).
_FILLED = [
    (
        r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.",
        _l("Must be from %(min)s to %(max)s."),
    ),
    (r"Must be greater than or equal to (?P<min>\S+)\.", _l("Must be at least %(min)s.")),
    (r"Must be less than or equal to (?P<max>\S+)\.", _l("Must be at most %(max)s.")),
    (r"Must be greater than (?P<min>\S+)\.", _l("Must be more than %(min)s.")),
    (r"Shorter than minimum length (?P<min>\d+)\.", _l("Must be at least %(min)s long.")),
    (r"Longer than maximum length (?P<max>\d+)\.", _l("Must be at most %(max)s long.")),
    (
        r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.",
        _l("Must be %(min)s to %(max)s long."),
    ),
    (r"Must be one of: (?P<choices>.*)\.", _l("Must be one of: %(choices)s.")),
]
_COMPILED = [(re.compile(pattern + r"\Z"), message) for pattern, message in _FILLED]


def in_callers_language(message: str) -> str:
    """The message as the caller reads it; our own (already translated) ones pass through."""
    if message in _FIXED:
        return str(_FIXED[message])
    for pattern, translated in _COMPILED:
        if match := pattern.match(message):
            return str(translated) % match.groupdict()
    return gettext(message) if message else message
