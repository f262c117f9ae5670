"""What the pages list: a product's visible reviews, a batch's, a farm's own, the reported
and hidden ones an operator looks at, and the reviews of a buyer's order lines. Each list
is a fixed number of statements whatever its length."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.extensions import db
from app.paging import Page, paginate
from farms.models import Farm
from farms.permissions import in_operator_scope
from orders.reviews.models import Review, ReviewReport

PER_PAGE = 10
#: Reviews shown on the product page itself; the rest are a link away.
ON_PRODUCT_PAGE = 5
#: Reviews shown on a batch's trace page.
ON_TRACE_PAGE = 3


def _public(statement):
    return statement.options(
        joinedload(Review.author), joinedload(Review.line), selectinload(Review.photos)
    ).order_by(Review.created_at.desc(), Review.id.desc())


def newest_visible(product_id: int, limit: int = ON_PRODUCT_PAGE) -> list[Review]:
    return list(
        db.session.scalars(
            _public(
                select(Review).where(Review.product_id == product_id, Review.hidden_at.is_(None))
            ).limit(limit)
        ).unique()
    )


def product_reviews(product_id: int, page: int | None) -> Page[Review]:
    statement = select(Review).where(Review.product_id == product_id, Review.hidden_at.is_(None))
    return paginate(_public(statement), page, PER_PAGE)


@dataclass
class BatchReviews:
    count: int = 0
    average: float | None = None
    newest: list[Review] = field(default_factory=list)


def batch_reviews(batch_id: int, limit: int = ON_TRACE_PAGE) -> BatchReviews:
    """The visible reviews of what was packed from the batch: their count and average
    (one statement) and the newest few (one more, only when there are some)."""
    visible = (Review.batch_id == batch_id, Review.hidden_at.is_(None))
    count, total = db.session.execute(
        select(func.count(Review.id), func.coalesce(func.sum(Review.stars), 0)).where(*visible)
    ).one()
    if not count:
        return BatchReviews()
    newest = db.session.scalars(
        select(Review)
        .where(*visible)
        .options(joinedload(Review.author))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    ).all()
    return BatchReviews(count=count, average=round(total / count, 1), newest=list(newest))


def farm_reviews(farm: Farm, page: int | None) -> Page[Review]:
    """All reviews of the farm's products, hidden ones too (the farm sees why)."""
    return paginate(_public(select(Review).where(Review.farm_id == farm.id)), page, PER_PAGE)


def reviews_for_operator(operator: User, page: int | None) -> Page[Review]:
    """Reviews someone reported, or an operator hid, of the farms the operator covers."""
    reported = exists().where(ReviewReport.review_id == Review.id)
    statement = (
        select(Review)
        .join(Farm, Farm.id == Review.farm_id)
        .where(in_operator_scope(operator), or_(reported, Review.hidden_at.is_not(None)))
        .options(
            joinedload(Review.author),
            joinedload(Review.line),
            selectinload(Review.photos),
            selectinload(Review.reports).joinedload(ReviewReport.reporter),
        )
        .order_by(Review.hidden_at.is_not(None), Review.created_at.desc(), Review.id.desc())
    )
    return paginate(statement, page, PER_PAGE)


def reviews_of_lines(line_ids: Iterable[int]) -> dict[int, Review]:
    ids = list(line_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(Review).where(Review.order_line_id.in_(ids)))
    return {review.order_line_id: review for review in rows}


def reviews_of_author(author: User, page: int | None) -> Page[Review]:
    """The buyer's own reviews, hidden ones too (with why), newest first."""
    statement = select(Review).where(Review.author_id == author.id)
    return paginate(_public(statement), page, PER_PAGE)
