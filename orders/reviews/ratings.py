"""The rating columns of products and farms: how many visible reviews, and their stars' sum.

Changed only here, in the review's own transaction, by relative UPDATEs
(`rating_count = rating_count + 1`): two reviews of the same product written at once both
count, with no read-modify-write to lose one. A decrement is conditional on there being
something to take away, so a bug can never drive a count below zero silently.
"""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from farms.models import Farm
from products.models import Product

_COLUMNS = ("rating_count", "rating_sum")


def _shift(model, row_id: int, count: int, stars: int) -> None:
    statement = update(model).where(model.id == row_id)
    if count < 0:
        statement = statement.where(model.rating_count >= -count, model.rating_sum >= -stars)
    changed = db.session.execute(
        statement.values(
            rating_count=model.rating_count + count, rating_sum=model.rating_sum + stars
        ).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise RuntimeError(f"{model.__name__} {row_id}: ratings would go below zero")
    loaded = db.session.identity_map.get(db.session.identity_key(model, row_id))
    if loaded is not None:  # the page rendered next reads the new figures
        db.session.expire(loaded, list(_COLUMNS))


def shift(product_id: int, farm_id: int, *, count: int, stars: int) -> None:
    """Add `count` reviews worth `stars` stars (negative to take them away) to both."""
    _shift(Product, product_id, count, stars)
    _shift(Farm, farm_id, count, stars)
