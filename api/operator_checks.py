"""An operator's verification of a farm, a certificate or an OCOP decision, done once.

The services stamp who verified what (app.verification); here the record's row is locked
first, so two operators (or a script and a person) cannot both verify it: the second gets a
409 and nothing changes. Another province's record is 404 before anything is said of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from flask_smorest import abort
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from farms.models import Farm
from farms.permissions import ensure_operator_covers


def verify_once(record: Any, farm: Farm, operator: User, verify: Callable[[Any, User], None]):
    """Call the service `verify(record, operator)` unless the record is verified already."""
    ensure_operator_covers(operator, farm)
    model = type(record)
    db.session.execute(select(model.id).where(model.id == record.id).with_for_update())
    db.session.refresh(record)
    if record.verified_at is not None:
        abort(409, message=gettext("This has been verified already."))
    verify(record, operator)
    return record
