"""Reviews: who may write one, once, editing with history, the farm's one reply, operators
hiding and showing again, reports, and the rating columns the cards read."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.roles import Role
from app.db import utcnow
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.messaging.models import OutboundMessage
from farms.models import Farm
from orders.models import LedgerEntry
from orders.reviews import services
from orders.reviews.models import Review, ReviewReport, ReviewRevision
from products.models import Product
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.reviews.factories import delivered_line, photo_bytes, write
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot


def ratings(review_or_line) -> tuple[tuple[int, int], tuple[int, int]]:
    """(count, sum) of the product's and of the farm's rating columns, as stored."""
    line = getattr(review_or_line, "line", review_or_line)
    product_id = line.variant.product_id
    farm_id = line.order.farm_id
    product = db.session.execute(
        select(Product.rating_count, Product.rating_sum).where(Product.id == product_id)
    ).one()
    farm = db.session.execute(
        select(Farm.rating_count, Farm.rating_sum).where(Farm.id == farm_id)
    ).one()
    return tuple(product), tuple(farm)


def test_the_buyer_of_a_delivered_line_reviews_it_with_photos_and_it_counts(app):
    line = delivered_line()

    review = write(line, stars=4, text="Ngọt lắm", photos=[photo_bytes(), photo_bytes((9, 9, 9))])

    assert (review.stars, review.text, review.author_id) == (
        4,
        "Ngọt lắm",
        line.order.checkout.buyer_id,
    )
    assert review.product_id == line.variant.product_id and review.farm_id == line.order.farm_id
    assert [p.position for p in review.photos] == [0, 1]
    assert all(p.display_key.startswith("reviews/") for p in review.photos)
    assert ratings(line) == ((1, 4), (1, 4))


def test_a_line_not_yet_delivered_cannot_be_reviewed(app):
    line = delivered_line(delivered=False)
    before = database_snapshot()

    with pytest.raises(DomainError, match="delivered|giao"):
        write(line)

    assert database_snapshot() == before


def test_another_buyer_cannot_review_someone_elses_line(app):
    line = delivered_line()
    stranger = make_user(Role.BUYER)
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        services.write_review(line, stranger, stars=5, text="")

    assert database_snapshot() == before


def test_a_line_is_reviewed_once(app):
    line = delivered_line()
    write(line, stars=5)
    before = database_snapshot()

    with pytest.raises(DomainError, match="already|đã đánh giá"):
        write(line, stars=1)

    assert database_snapshot() == before
    assert ratings(line) == ((1, 5), (1, 5))


@pytest.mark.parametrize("stars", [0, 6, "5", None, True])
def test_stars_outside_one_to_five_are_refused(app, stars):
    line = delivered_line()
    before = database_snapshot()

    with pytest.raises(DomainError):
        write(line, stars=stars)

    assert database_snapshot() == before


def test_four_photos_are_refused_and_none_is_kept(app):
    line = delivered_line()
    before = database_snapshot()

    with pytest.raises(DomainError, match="3"):
        write(line, photos=[photo_bytes()] * 4)

    assert database_snapshot() == before


def test_the_batch_the_line_was_packed_from_is_remembered(app):
    from orders import services as order_services
    from tests.orders.factories import deliver_everywhere
    from tests.traceability.factories import harvest, make_batch
    from traceability.allocation import pack_with_batches

    product = make_product(deliver_everywhere(make_farm()))
    batch = make_batch(product.farm, product)
    harvest(batch, 2)
    line = delivered_line(product, delivered=False)
    owner = product.farm.members[0].user
    pack_with_batches(line.order, owner, {line.id: [(str(batch.id), "1")]})
    order_services.ship_order(line.order, owner, carrier="ghtk", tracking_number="S2")
    order_services.mark_delivered(line.order, owner)

    review = write(line)

    assert review.batch_id == batch.id


def test_without_a_recorded_batch_the_review_has_none(app):
    assert write(delivered_line()).batch_id is None


def test_the_author_edits_and_the_earlier_words_are_kept(app):
    line = delivered_line()
    review = write(line, stars=5, text="Ngon")

    services.edit_review(
        review, review.author, stars=3, text="Quả hơi chua", photos=[photo_bytes()]
    )
    services.edit_review(review, review.author, stars=2, text="Chua")

    assert (review.stars, review.text, review.edited_at is not None) == (2, "Chua", True)
    assert [(r.stars, r.text) for r in review.revisions] == [(5, "Ngon"), (3, "Quả hơi chua")]
    assert len(review.photos) == 1
    assert ratings(line) == ((1, 2), (1, 2))


def test_another_buyer_cannot_edit_the_review(app):
    review = write(delivered_line())
    stranger = make_user(Role.BUYER)
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        services.edit_review(review, stranger, stars=1, text="xấu")

    assert database_snapshot() == before


def test_a_review_cannot_be_edited_after_thirty_days(app):
    line = delivered_line()
    review = write(line, stars=5)
    late = review.created_at + timedelta(days=services.EDIT_DAYS, seconds=1)
    before = database_snapshot()

    with pytest.raises(DomainError, match="30"):
        services.edit_review(review, review.author, stars=1, text="", now=late)

    assert database_snapshot() == before
    on_the_last_day = review.created_at + timedelta(days=services.EDIT_DAYS)
    services.edit_review(review, review.author, stars=4, text="", now=on_the_last_day)
    assert ratings(line) == ((1, 4), (1, 4))


def test_the_farm_replies_once_and_another_farm_cannot(app):
    review = write(delivered_line())
    farm_owner = db.session.get(Farm, review.farm_id).members[0].user
    other_farmer = make_farm().members[0].user
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        services.reply(review, other_farmer, "Cảm ơn")
    assert database_snapshot() == before

    services.reply(review, farm_owner, "Cảm ơn anh đã ủng hộ vườn!")
    assert (review.reply_text, review.replied_by_id) == (
        "Cảm ơn anh đã ủng hộ vườn!",
        farm_owner.id,
    )
    with pytest.raises(DomainError, match="already|đã trả lời"):
        services.reply(review, farm_owner, "Lần hai")
    db.session.refresh(review)
    assert review.reply_text == "Cảm ơn anh đã ủng hộ vườn!"


def test_an_operator_hides_with_a_reason_the_author_is_told_and_it_stops_counting(app):
    line = delivered_line()
    review = write(line, stars=1, text="Số điện thoại của tôi 0912…")
    write(delivered_line(line.variant.product), stars=5)
    operator = make_user(Role.OPERATOR)

    services.hide(review, operator, "Có thông tin cá nhân")

    assert review.hidden_at is not None and review.hidden_by_id == operator.id
    assert ratings(line) == ((1, 5), (1, 5))
    told = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "review_hidden")
    ).all()
    assert told and all(m.user_id == review.author_id for m in told)
    assert "Có thông tin cá nhân" in told[0].body

    services.unhide(review, operator)
    assert review.hidden_at is None and ratings(line) == ((2, 6), (2, 6))


def test_hiding_twice_and_hiding_by_a_farmer_are_refused(app):
    review = write(delivered_line())
    operator = make_user(Role.OPERATOR)
    farmer = db.session.get(Farm, review.farm_id).members[0].user
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        services.hide(review, farmer, "không thích")
    with pytest.raises(PermissionDenied):
        services.hide(review, review.author, "không thích")
    assert database_snapshot() == before

    services.hide(review, operator, "Quảng cáo")
    with pytest.raises(DomainError):
        services.hide(review, operator, "Lần hai")
    with pytest.raises(DomainError):
        services.edit_review(review, review.author, stars=2, text="sửa")


def test_an_operator_of_another_province_cannot_hide(app):
    review = write(delivered_line())  # the farm is in province 31
    elsewhere = make_user(Role.OPERATOR, operator_province_code="01")
    before = database_snapshot()

    with pytest.raises(NotFound):
        services.hide(review, elsewhere, "Quảng cáo")

    assert database_snapshot() == before


def test_anyone_signed_in_reports_once_but_not_their_own(app):
    review = write(delivered_line())
    reader = make_user(Role.BUYER)

    services.report(review, reader, "Lời lẽ thô tục")
    with pytest.raises(DomainError):
        services.report(review, reader, "Lần hai")
    with pytest.raises(DomainError):
        services.report(review, review.author, "Của tôi")

    count = db.session.scalar(select(func.count()).select_from(ReviewReport))
    assert count == 1


def test_reviews_move_no_money(app):
    line = delivered_line()
    before = db.session.scalars(select(LedgerEntry)).all()

    review = write(line)
    services.edit_review(review, review.author, stars=2, text="")
    services.hide(review, make_user(Role.OPERATOR), "Thử")

    assert db.session.scalars(select(LedgerEntry)).all() == before


def test_edit_history_rows_are_only_added(app):
    review = write(delivered_line(), stars=5, text="Một")
    services.edit_review(review, review.author, stars=4, text="Hai")
    first = db.session.execute(select(ReviewRevision.id, ReviewRevision.stars)).all()

    services.edit_review(review, review.author, stars=3, text="Ba")

    after = db.session.execute(select(ReviewRevision.id, ReviewRevision.stars)).all()
    assert after[: len(first)] == first and len(after) == 2


def test_nothing_changed_is_not_an_edit(app):
    review = write(delivered_line(), stars=5, text="Ngon")
    before = database_snapshot()

    with pytest.raises(DomainError):
        services.edit_review(review, review.author, stars=5, text="Ngon")

    assert database_snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    assert utcnow() > review.created_at
