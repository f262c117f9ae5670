"""Fields shared by the API's schemas: money in integer đồng, times in RFC 3339 UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma


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
        return parsed.astimezone(UTC)
