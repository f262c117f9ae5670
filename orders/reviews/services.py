"""Writing, editing, answering, hiding and reporting reviews.

Only the signed-in buyer of an order line whose order was delivered (or completed) reviews
it, once: the order's row is locked while the line's review is looked for and written, and
the review's unique line id refuses a second one. The author edits it for EDIT_DAYS, each
edit keeping what it replaced (ReviewRevision). The farm answers once, publicly; operators
of the farm's province hide a review with a reason (its author is told) and show it again.
Every change to which stars count moves the product's and the farm's rating columns in the
same transaction (orders.reviews.ratings).

Reviews move no money: the ledger (orders.models.LedgerEntry) is untouched by this module,
so for every order the sum of its ledger entries stays what the order's payment left.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.auth.roles import Role, ensure_role
from app.db import utcnow
from app.errors import DomainError, NotFound, PermissionDenied, get_or_not_found
from app.extensions import db
from app.photo_gallery import add_photo
from app.validation import clean_paragraphs, clean_text
from farms.models import Farm
from farms.permissions import ensure_can_manage, ensure_operator_covers
from orders.models import OrderLine
from orders.reviews import ratings
from orders.reviews.batch_source import batch_of_line
from orders.reviews.models import Review, ReviewPhoto, ReviewReport, ReviewRevision
from orders.reviews.notices import queue_hidden_notice
from orders.states import OrderStatus

#: How long after writing it the author may still change a review.
EDIT_DAYS = 30
MAX_PHOTOS = 3
TEXT_LIMIT = 2000
REPLY_LIMIT = 1000
REASON_LIMIT = 500
#: An order whose box reached the buyer: only then is there something to review.
REVIEWABLE = (OrderStatus.DELIVERED.value, OrderStatus.COMPLETED.value)


def _stars(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise DomainError(_l("Choose from 1 to 5 stars."), field="stars")
    return value


def _text(value: str | None) -> str:
    return clean_paragraphs(value, "text", TEXT_LIMIT, _l("your review"))


def _check_room(review: Review, photos: list[bytes]) -> None:
    """Refused before any photo is stored: all of them fit, or none is kept."""
    if len(review.photos) + len(photos) > MAX_PHOTOS:
        raise DomainError(
            _l("A review can have at most %(n)d photos.", n=MAX_PHOTOS), field="photos"
        )


def _add_photos(review: Review, photos: list[bytes]) -> None:
    too_many = _l("A review can have at most %(n)d photos.", n=MAX_PHOTOS)
    for data in photos:
        add_photo(
            review.photos, ReviewPhoto, data, kind="reviews", limit=MAX_PHOTOS, too_many=too_many
        )


def review_of_line(line_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.order_line_id == line_id))


def line_for_review(line_id: int, author: User | None) -> OrderLine:
    """The order line `author` may review (or has reviewed): theirs, and delivered.
    NotFound for an unknown line, PermissionDenied for someone else's."""
    line = get_or_not_found(OrderLine, line_id)
    if author is None or line.order.checkout.buyer_id != author.id:
        raise PermissionDenied()
    return line


def write_review(
    line: OrderLine, author: User, *, stars, text: str | None, photos: list[bytes] = ()
) -> Review:
    """The buyer's review of a delivered line; its stars count at once."""
    line = line_for_review(line.id, author)
    stars, text, photos = _stars(stars), _text(text), list(photos)
    if len(photos) > MAX_PHOTOS:
        raise DomainError(
            _l("A review can have at most %(n)d photos.", n=MAX_PHOTOS), field="photos"
        )
    # Locked: a second tap on "Send" waits here, then finds the first one's review.
    db.session.refresh(line.order, with_for_update=True)
    if line.order.status not in REVIEWABLE:
        raise DomainError(_l("You can review a product once your order has been delivered."))
    if review_of_line(line.id) is not None:
        raise DomainError(_l("You have already reviewed this purchase; you can edit it."))
    if line.variant is None:
        raise DomainError(_l("This product is no longer sold; it cannot be reviewed."))
    review = Review(
        order_line_id=line.id,
        author_id=author.id,
        product_id=line.variant.product_id,
        farm_id=line.order.farm_id,
        batch_id=batch_of_line(line.id),
        stars=stars,
        text=text,
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()
    except IntegrityError:  # a database without row locks (SQLite): the unique key decides
        raise DomainError(_l("You have already reviewed this purchase; you can edit it.")) from None
    _add_photos(review, photos)
    ratings.shift(review.product_id, review.farm_id, count=1, stars=stars)
    return review


def _lock(review: Review) -> None:
    db.session.refresh(review, with_for_update=True)


def can_edit(review: Review, user: User | None, now: datetime | None = None) -> bool:
    return (
        user is not None
        and getattr(user, "id", None) == review.author_id
        and review.hidden_at is None
        and (now or utcnow()) <= review.created_at + timedelta(days=EDIT_DAYS)
    )


def edit_review(
    review: Review,
    author: User,
    *,
    stars,
    text: str | None,
    photos: list[bytes] = (),
    now: datetime | None = None,
) -> None:
    """The author changes the stars or the words (and may add photos) within EDIT_DAYS;
    what it said before is kept as a revision."""
    if review.author_id != author.id:
        raise PermissionDenied()
    stars, text, photos = _stars(stars), _text(text), list(photos)
    _lock(review)
    now = now or utcnow()
    if review.hidden_at is not None:
        raise DomainError(_l("An operator hid this review; it can no longer be changed."))
    if now > review.created_at + timedelta(days=EDIT_DAYS):
        raise DomainError(
            _l("A review can be changed for %(n)d days after it was written.", n=EDIT_DAYS)
        )
    if stars == review.stars and text == review.text and not photos:
        raise DomainError(_l("Nothing was changed."))
    _check_room(review, photos)
    db.session.add(
        ReviewRevision(
            review_id=review.id,
            stars=review.stars,
            text=review.text,
            written_at=review.edited_at or review.created_at,
            replaced_at=now,
        )
    )
    difference = stars - review.stars
    review.stars, review.text, review.edited_at = stars, text, now
    db.session.flush()
    _add_photos(review, photos)
    if difference:
        ratings.shift(review.product_id, review.farm_id, count=0, stars=difference)


def reply(review: Review, actor: User, text: str | None) -> None:
    """The farm's one public answer, by someone who runs the farm."""
    ensure_can_manage(actor, db.session.get(Farm, review.farm_id))
    text = clean_paragraphs(text, "reply", REPLY_LIMIT, _l("your reply"))
    if not text:
        raise DomainError(_l("Please enter %(what)s.", what=_l("your reply")), field="reply")
    now = utcnow()
    changed = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.replied_at.is_(None))
        .values(reply_text=text, replied_at=now, replied_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.refresh(review)
        raise DomainError(_l("The farm has already replied to this review."))
    for key, value in (("reply_text", text), ("replied_at", now), ("replied_by_id", actor.id)):
        set_committed_value(review, key, value)


def _ensure_operator(operator: User, review: Review) -> None:
    ensure_role(operator, Role.OPERATOR)
    ensure_operator_covers(operator, db.session.get(Farm, review.farm_id))


def hide(review: Review, operator: User, reason: str | None) -> None:
    """An operator takes the review off the pages and out of the ratings; the author is
    told why once the change is committed."""
    _ensure_operator(operator, review)
    reason = clean_text(reason, "reason", REASON_LIMIT, _l("the reason"))
    _lock(review)
    if review.hidden_at is not None:
        raise DomainError(_l("This review is already hidden."))
    review.hidden_at, review.hidden_reason, review.hidden_by_id = utcnow(), reason, operator.id
    db.session.flush()
    ratings.shift(review.product_id, review.farm_id, count=-1, stars=-review.stars)
    queue_hidden_notice(review, review.line.product_name)


def unhide(review: Review, operator: User) -> None:
    _ensure_operator(operator, review)
    _lock(review)
    if review.hidden_at is None:
        raise DomainError(_l("This review is not hidden."))
    review.hidden_at = review.hidden_reason = review.hidden_by_id = None
    db.session.flush()
    ratings.shift(review.product_id, review.farm_id, count=1, stars=review.stars)


def report(review: Review, reporter: User | None, reason: str | None) -> ReviewReport:
    """Anyone signed in flags a review for the operators, once."""
    if reporter is None or not reporter.is_authenticated:
        raise PermissionDenied()
    if review.author_id == reporter.id:
        raise DomainError(_l("You cannot report your own review."))
    reason = clean_text(reason, "reason", REASON_LIMIT, _l("the reason"))
    found = db.session.scalar(
        select(ReviewReport.id).where(
            ReviewReport.review_id == review.id, ReviewReport.reporter_id == reporter.id
        )
    )
    already = DomainError(_l("You have already reported this review."))
    if found is not None:
        raise already
    flagged = ReviewReport(review_id=review.id, reporter_id=reporter.id, reason=reason)
    try:
        with db.session.begin_nested():
            db.session.add(flagged)
            db.session.flush()
    except IntegrityError:
        raise already from None
    return flagged


def get_review(review_id: int) -> Review:
    return get_or_not_found(Review, review_id)


def get_visible_review(review_id: int) -> Review:
    review = get_review(review_id)
    if review.hidden_at is not None:
        raise NotFound(f"Review {review_id}")
    return review
