"""Fields shared by the API's schemas: money in integer đồng, times in RFC 3339 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from app.validation import MAX_ID, is_storable_text

#: A row id in a path (`<{ROW_ID}:farm_id>`): bounded, so a number past 32 bits is a 404 from
#: routing rather than an overflow in the database, and the document says so.
ROW_ID = f"int(min=1, max={MAX_ID})"


def row_id(**kwargs) -> ma.fields.Integer:
    """A row id in a query or a body, bounded as ROW_ID is (`strict=True` in a JSON body)."""
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


class Vnd(ma.fields.Integer):
    """An amount of money in integer đồng (VND has no minor unit)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        metadata = {"description": "Integer đồng (VND)", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


class UtcTime(ma.fields.DateTime):
    """An RFC 3339 time in UTC, written with a trailing Z."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _deserialize(self, value, attr, data, **kwargs):
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise self.make_error("invalid", input=value, obj_type="datetime")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00:00+14:00 is before the first UTC moment
            raise self.make_error("invalid", input=value, obj_type="datetime") from None


def storable(text: str) -> None:
    """A validator for text a program sends: no NUL and no lone surrogate (see
    app.validation.is_storable_text), so such input is a 422, not a 500."""
    if not is_storable_text(text):
        raise ma.ValidationError(str(_l("This text holds characters that are not text.")))
