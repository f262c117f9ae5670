"""Read-only farm lists for public pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from farms.models import Farm


def newest_farms(limit: int = 6) -> list[Farm]:
    """Recently opened farms that are on the storefront (not suspended), newest first."""
    return list(
        db.session.scalars(
            select(Farm)
            .where(Farm.suspended_at.is_(None))
            .options(selectinload(Farm.photos))
            .order_by(Farm.created_at.desc(), Farm.id.desc())
            .limit(limit)
        )
    )
