"""Pagination by cursor: each page ends with an opaque `next_cursor` for the one after.

The cursor holds the sort key of the last row given (keyset pagination), so a page is as
cheap deep in a list as at its start and rows added meanwhile neither repeat nor vanish.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from app.errors import DomainError
from app.extensions import db
from app.validation import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageArgs(ma.Schema):
    cursor = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=200),
        metadata={"description": "`next_cursor` of the previous page; leave out for the first"},
    )
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}"},
    )


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope of a list: `items` and `next_cursor` (null on the last page)."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item), required=True),
            "next_cursor": ma.fields.String(required=True, allow_none=True),
        },
        name=name,
    )


def encode_cursor(key: Any) -> str:
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise DomainError(_l("This cursor is not one the API gave."), field="cursor") from error


def decode_id_cursor(cursor: str, field: str) -> int:
    """A cursor that holds a row id (1 to MAX_ID); anything else is not one the API gave."""
    after = decode_cursor(cursor)
    if not isinstance(after, int) or isinstance(after, bool) or not 0 < after <= MAX_ID:
        raise DomainError(_l("This cursor is not one the API gave."), field=field)
    return after


def keyset_page(
    statement: Select,
    key_column,
    args: dict,
    *,
    descending: bool = True,
    key_of: Callable[[Any], Any] = lambda row: row.id,
) -> tuple[Sequence[Any], str | None]:
    """One page of `statement` (rows of one entity) ordered by a unique integer key.

    Returns the rows and the cursor of the next page, or None when this is the last.
    """
    limit = args["limit"]
    if args.get("cursor"):
        after = decode_id_cursor(args["cursor"], "cursor")
        statement = statement.where(key_column < after if descending else key_column > after)
    order = key_column.desc() if descending else key_column.asc()
    rows = db.session.scalars(statement.order_by(order).limit(limit + 1)).unique().all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(key_of(rows[-1]))


def page_body(items: Sequence[Any], next_cursor: str | None) -> dict:
    return {"items": items, "next_cursor": next_cursor}


def next_link(next_cursor: str | None) -> dict[str, str]:
    """A `Link: <…>; rel="next"` header (RFC 8288) for clients that follow links."""
    if next_cursor is None:
        return {}
    args = request.args.to_dict()
    args["cursor"] = next_cursor
    return {"Link": f'<{request.base_url}?{urlencode(args)}>; rel="next"'}
