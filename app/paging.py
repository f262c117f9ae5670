"""A list shown one page at a time: the page's rows and the count, in two statements."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from app.extensions import db

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    #: The page shown, 1-based; a number past the end shows the last page.
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def paginate(statement: Select, page: int | None, per_page: int) -> Page:
    """Run `statement` (ordered, with its loader options) for one page of its rows.

    Any page number the list does not have (none, 0, negative, past the end) becomes the
    nearest page that exists, as the catalog does.
    """
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page or 1, 1), pages)
    items = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total, page=page, per_page=per_page)


def link_arguments(args: Mapping[str, str]) -> dict[str, str]:
    """A list's query arguments, safe to hand back to url_for for its page links: without
    `endpoint` and the `_`-names url_for reads as its own options (`_method`, `_scheme`,
    `_external`, `_anchor`), which a visitor could otherwise put in the address."""
    return {key: value for key, value in args.items() if key != "endpoint" and key[:1] != "_"}
