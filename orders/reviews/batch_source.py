"""Which batch an order line was packed from, for its review: known to traceability (its
allocations), which sits above orders and registers the answer here in its init_app."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

#: Given an order line id, the id of the batch most of its units came from, or None.
BatchOfLine = Callable[[int], "int | None"]
_KEY = "nongsan_review_batch_of_line"


def on_batch_of_line(app: Flask, finder: BatchOfLine) -> None:
    app.extensions[_KEY] = finder


def batch_of_line(line_id: int) -> int | None:
    """None when no package says (traceability left out) or the line had no batch."""
    finder = current_app.extensions.get(_KEY)
    return finder(line_id) if finder else None
