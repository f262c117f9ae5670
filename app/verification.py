"""Operators' checks: a record (farm, certificate, OCOP decision) is stamped with who verified
it and when. Only operators may do it."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import Role, ensure_role
from app.db import utcnow
from app.extensions import db


def stamp_verified(record, operator: User) -> None:
    """Set `verified_at` and `verified_by_id` on any model that has both columns."""
    ensure_role(operator, Role.OPERATOR)
    record.verified_at = utcnow()
    record.verified_by_id = operator.id
    db.session.flush()
