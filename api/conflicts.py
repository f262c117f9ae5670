"""How a refused state change answers: 409 when the resource's state refused it, 422 when a
field of the request did (the service names the field), and nothing is kept either way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_smorest import abort

from app.errors import DomainError, PermissionDenied
from app.extensions import db


def conflict(message: str):
    """Refuse with 409 after undoing whatever the request wrote."""
    db.session.rollback()
    abort(409, message=message)


@contextmanager
def state_refusals_conflict() -> Iterator[None]:
    """A service's DomainError without a field is the state refusing (an order that has left,
    a recalled batch): 409. With a field it stays the blueprint's 422."""
    try:
        yield
    except PermissionDenied:
        raise
    except DomainError as error:
        if error.field:
            raise
        conflict(str(error.message))
