"""The review pages over HTTP: a buyer reviews a delivered line from the order page, with a
photo; the stars show on the product page, its card and the farm page; the farm replies;
operators hide; strangers are refused and change nothing."""

import io
import json
import re

import pytest
from sqlalchemy import func, select

from app.auth.roles import Role
from app.extensions import db
from orders.reviews import services
from orders.reviews.models import Review, ReviewReport
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.reviews.factories import delivered_line, photo_bytes, write
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

_numbers = iter(range(100, 999))


def person(client=None, role=Role.BUYER, **fields):
    """An account, logged in on `client` when given."""
    identifier = f"0912345{next(_numbers)}"
    user = make_user(role, identifier=identifier, **fields)
    db.session.commit()
    if client is not None:
        log_in(client, identifier)
    return user


@pytest.fixture
def lychee(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải Bác Tư"))
    return make_product(farm, name="Vải thiều Thanh Hà", prices=(180000,))


def test_the_buyer_reviews_a_delivered_line_with_a_photo_from_the_order_page(client, lychee):
    buyer = person(client, full_name="Lê Minh Anh")
    line = delivered_line(lychee, buyer=buyer)
    db.session.commit()
    order_page = f"/orders/c/{line.order.checkout.access_token}"
    assert "Viết đánh giá" in page_text(client.get(order_page))

    form = client.get(f"/orders/lines/{line.id}/review")
    assert form.status_code == 200
    sent = client.post_form(
        f"/orders/lines/{line.id}/review",
        {"stars": "4", "text": "Quả to, ngọt.", "photos": (io.BytesIO(photo_bytes()), "vai.jpg")},
        content_type="multipart/form-data",
    )

    assert sent.status_code == 302 and sent.headers["Location"].endswith(order_page)
    review = db.session.scalar(select(Review).where(Review.order_line_id == line.id))
    assert (review.stars, review.text, len(review.photos)) == (4, "Quả to, ngọt.", 1)
    assert "Sửa đánh giá" in page_text(client.get(order_page))
    product_page = page_text(client.get(f"/products/{lychee.slug}"))
    assert "Quả to, ngọt." in product_page and "Anh" in product_page
    assert "4 trên 5 sao, 1 đánh giá" in product_page


def test_the_buyer_edits_the_review_and_the_stars_move(client, lychee):
    buyer = person(client)
    line = delivered_line(lychee, buyer=buyer)
    write(line, stars=5, text="Ngon")
    db.session.commit()

    sent = client.post_form(f"/orders/lines/{line.id}/review", {"stars": "3", "text": "Hơi chua"})

    assert sent.status_code == 302
    db.session.expire_all()
    review = db.session.scalar(select(Review))
    assert (review.stars, [r.text for r in review.revisions]) == (3, ["Ngon"])
    assert (lychee.rating_count, lychee.rating_sum) == (1, 3)


@pytest.mark.parametrize("stars", ["", "0", "6", "năm"])
def test_a_review_without_valid_stars_is_refused_and_nothing_is_written(client, lychee, stars):
    buyer = person(client)
    line = delivered_line(lychee, buyer=buyer)
    db.session.commit()
    before = database_snapshot()

    sent = client.post_form(f"/orders/lines/{line.id}/review", {"stars": stars, "text": "x"})

    assert sent.status_code == 422 and "Hãy chọn từ 1 đến 5 sao." in page_text(sent)
    assert database_snapshot() == before


def test_another_buyer_cannot_open_or_post_the_review_of_a_line(client, lychee):
    line = delivered_line(lychee)
    db.session.commit()
    person(client)
    before = database_snapshot()

    assert client.get(f"/orders/lines/{line.id}/review").status_code == 403
    sent = client.post_form(f"/orders/lines/{line.id}/review", {"stars": "1", "text": "xấu"})

    assert sent.status_code == 403 and database_snapshot() == before


def test_a_line_not_delivered_is_refused_with_a_message(client, lychee):
    buyer = person(client)
    line = delivered_line(lychee, buyer=buyer, delivered=False)
    db.session.commit()
    assert "Viết đánh giá" not in page_text(
        client.get(f"/orders/c/{line.order.checkout.access_token}")
    )
    before = database_snapshot()

    sent = client.post_form(f"/orders/lines/{line.id}/review", {"stars": "5", "text": ""})

    assert sent.status_code == 422 and "sau khi đơn hàng đã được giao" in page_text(sent)
    assert database_snapshot() == before


def test_cards_and_the_farm_page_show_the_average_as_a_sentence(client, lychee):
    write(delivered_line(lychee), stars=5)
    write(delivered_line(lychee), stars=4)
    db.session.commit()

    catalog = page_text(client.get("/products"))
    search = page_text(client.get("/products?q=vai"))
    farm_page = page_text(client.get(f"/farms/{lychee.farm.slug}"))

    for text in (catalog, search, farm_page):
        assert "4,5 trên 5 sao, 2 đánh giá" in text


def test_a_hidden_review_leaves_the_pages_and_the_average(client, lychee):
    rude = write(delivered_line(lychee), stars=1, text="Lời lẽ thô tục")
    write(delivered_line(lychee), stars=5, text="Tuyệt vời")
    operator = person(client, Role.OPERATOR)

    sent = client.post_form(f"/admin/reviews/{rude.id}/hide", {"reason": "Lời lẽ thô tục"})

    assert sent.status_code == 302
    page = page_text(client.get(f"/products/{lychee.slug}"))
    assert "Tuyệt vời" in page and "Lời lẽ thô tục" not in page
    assert "5 trên 5 sao, 1 đánh giá" in page
    db.session.expire_all()
    assert db.session.get(Review, rude.id).hidden_by_id == operator.id


def test_a_buyer_or_farmer_cannot_reach_the_operators_review_pages(client, lychee):
    review = write(delivered_line(lychee))
    db.session.commit()
    person(client, Role.FARMER)
    before = database_snapshot()

    assert client.get("/admin/reviews").status_code == 403
    sent = client.post_form(f"/admin/reviews/{review.id}/hide", {"reason": "x"})

    assert sent.status_code == 403 and database_snapshot() == before


def test_the_operator_sees_reports_and_hides_from_the_list(client, lychee):
    review = write(delivered_line(lychee), text="Gọi 0912 để mua rẻ")
    services.report(review, make_user(Role.BUYER, full_name="Trần Thu"), "Quảng cáo")
    person(client, Role.OPERATOR)

    listing = page_text(client.get("/admin/reviews"))

    assert "Gọi 0912 để mua rẻ" in listing and "Trần Thu: Quảng cáo" in listing


def test_someone_signed_in_reports_a_review_once(client, lychee):
    review = write(delivered_line(lychee))
    db.session.commit()
    assert client.get(f"/reviews/{review.id}/report").status_code == 302  # to log in
    person(client)

    first = client.post_form(f"/reviews/{review.id}/report", {"reason": "Spam"})
    second = client.post_form(f"/reviews/{review.id}/report", {"reason": "Spam"})

    assert first.status_code == 302 and second.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ReviewReport)) == 1


def test_the_farm_replies_once_and_the_reply_is_public(client, lychee):
    review = write(delivered_line(lychee))
    owner = lychee.farm.members[0].user
    owner.phone = "+84912000888"
    db.session.commit()
    log_in(client, "0912000888")
    assert "Vải thiều Thanh Hà" in page_text(
        client.get(f"/dashboard/farms/{lychee.farm_id}/reviews")
    )

    client.post_form(f"/dashboard/reviews/{review.id}/reply", {"reply": "Cảm ơn anh!"})
    again = client.post_form(f"/dashboard/reviews/{review.id}/reply", {"reply": "Lần hai"})

    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Review, review.id).reply_text == "Cảm ơn anh!"
    assert "Cảm ơn anh!" in page_text(client.get(f"/products/{lychee.slug}"))


def test_another_farms_farmer_cannot_reply_or_see_the_reviews(client, lychee):
    review = write(delivered_line(lychee))
    other = make_farm()
    other.members[0].user.phone = "+84912000999"
    db.session.commit()
    log_in(client, "0912000999")
    before = database_snapshot()

    assert client.get(f"/dashboard/farms/{lychee.farm_id}/reviews").status_code == 403
    sent = client.post_form(f"/dashboard/reviews/{review.id}/reply", {"reply": "Giả mạo"})

    assert sent.status_code == 403 and database_snapshot() == before


def _json_ld(response) -> dict:
    html = response.get_data(as_text=True)
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1, found
    return json.loads(found[0])


def test_the_product_page_carries_product_json_ld_with_an_offer_in_dong(client, lychee):
    data = _json_ld(client.get(f"/products/{lychee.slug}"))

    assert (data["@type"], data["name"]) == ("Product", "Vải thiều Thanh Hà")
    assert data["brand"]["name"] == "Vườn vải Bác Tư"
    assert data["offers"]["@type"] == "Offer"
    assert data["offers"]["priceCurrency"] == "VND" and data["offers"]["price"] == 180000
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["offers"]["seller"]["name"] == "Vườn vải Bác Tư"
    assert "aggregateRating" not in data  # no review yet


def test_json_ld_has_an_aggregate_offer_and_rating_once_reviewed(client, lychee):
    several = make_product(lychee.farm, name="Bưởi", prices=(55000, 120000))
    write(delivered_line(several), stars=5)
    write(delivered_line(several), stars=4)
    db.session.commit()

    data = _json_ld(client.get(f"/products/{several.slug}"))

    assert data["offers"]["@type"] == "AggregateOffer"
    assert (data["offers"]["lowPrice"], data["offers"]["highPrice"]) == (55000, 120000)
    assert data["aggregateRating"]["ratingValue"] == 4.5
    assert data["aggregateRating"]["reviewCount"] == 2


def test_a_hidden_only_review_gives_no_aggregate_rating(client, lychee):
    review = write(delivered_line(lychee), stars=2)
    services.hide(review, make_user(Role.OPERATOR), "Thử")
    db.session.commit()

    assert "aggregateRating" not in _json_ld(client.get(f"/products/{lychee.slug}"))


def test_a_name_with_a_closing_script_tag_stays_inside_the_json_ld(client, lychee):
    lychee.name = 'Vải </script><script>alert("x")</script>'
    db.session.commit()

    response = client.get(f"/products/{lychee.slug}")

    assert "<script>alert" not in response.get_data(as_text=True)
    assert _json_ld(response)["name"] == lychee.name


def test_the_product_page_costs_the_same_whatever_its_reviews(client, lychee):
    write(delivered_line(lychee), photos=[photo_bytes()])
    db.session.commit()

    def more_reviews():
        for stars in (3, 4, 5):
            write(delivered_line(lychee), stars=stars, photos=[photo_bytes()])

    response = assert_fixed_queries(client, f"/products/{lychee.slug}", more_reviews)
    assert page_text(response).count("Đã mua hàng") == 4


def test_the_reviews_pages_cost_the_same_whatever_their_rows(app, client, lychee):
    write(delivered_line(lychee))
    services.report(db.session.scalar(select(Review)), make_user(Role.BUYER), "Spam")
    owner = lychee.farm.members[0].user
    owner.phone = "+84912000777"
    db.session.commit()

    def more():
        for _ in range(3):
            review = write(delivered_line(lychee), photos=[photo_bytes()])
            services.report(review, make_user(Role.BUYER), "Spam")

    assert_fixed_queries(client, f"/products/{lychee.slug}/reviews", more)
    farmer = app.test_client()
    log_in(farmer, "0912000777")
    assert_fixed_queries(farmer, f"/dashboard/farms/{lychee.farm_id}/reviews", more)
    operator = app.test_client()
    person(operator, Role.OPERATOR)
    assert_fixed_queries(operator, "/admin/reviews", more)


def test_json_ld_says_out_of_stock_when_nothing_is_left(client, lychee):
    lychee.variants[0].stock = 0
    db.session.commit()

    offer = _json_ld(client.get(f"/products/{lychee.slug}"))["offers"]

    assert offer["availability"] == "https://schema.org/OutOfStock"


def test_only_the_buyer_sees_the_review_link_on_the_order_page(client, lychee):
    buyer = person(full_name="Lê Minh Anh")
    line = delivered_line(lychee, buyer=buyer)
    db.session.commit()
    order_page = f"/orders/c/{line.order.checkout.access_token}"

    assert "Viết đánh giá" not in page_text(client.get(order_page))  # the link's holder
    person(client)
    assert "Viết đánh giá" not in page_text(client.get(order_page))  # someone else


def test_a_file_that_is_not_a_photo_is_refused_and_no_review_is_written(client, lychee):
    buyer = person(client)
    line = delivered_line(lychee, buyer=buyer)
    db.session.commit()
    before = database_snapshot()

    sent = client.post_form(
        f"/orders/lines/{line.id}/review",
        {"stars": "5", "text": "Ngon", "photos": (io.BytesIO(b"%PDF-1.4 not a photo"), "a.jpg")},
        content_type="multipart/form-data",
    )

    assert sent.status_code == 422 and "không phải là ảnh" in page_text(sent).lower()
    assert database_snapshot() == before


def test_the_form_of_a_line_not_yet_delivered_says_to_wait(client, lychee):
    buyer = person(client)
    line = delivered_line(lychee, buyer=buyer, delivered=False)
    db.session.commit()

    page = client.get(f"/orders/lines/{line.id}/review")

    assert "sau khi đơn hàng đã được giao" in page_text(page) and "<textarea" not in page.text


def test_my_reviews_lists_the_buyers_own_with_an_edit_link_and_why_one_was_hidden(client, lychee):
    buyer = person(client)
    kept = write(delivered_line(lychee, buyer=buyer), stars=5, text="Ngọt")
    hidden = write(delivered_line(lychee, buyer=buyer), stars=1, text="Tệ")
    write(delivered_line(lychee), text="Của người khác")
    services.hide(hidden, make_user(Role.OPERATOR), "Lăng mạ")
    db.session.commit()

    response = client.get("/reviews/mine")

    page = page_text(response)
    assert "Ngọt" in page and "Tệ" in page and "Của người khác" not in page
    assert "Quản trị viên đã ẩn: Lăng mạ" in page
    assert f"/orders/lines/{kept.order_line_id}/review" in response.text
    assert f"/orders/lines/{hidden.order_line_id}/review" not in response.text


def test_my_reviews_costs_the_same_whatever_its_rows(client, lychee):
    buyer = person(client)
    write(delivered_line(lychee, buyer=buyer))
    db.session.commit()

    def more():
        for stars in (2, 3, 4):
            write(delivered_line(lychee, buyer=buyer), stars=stars, photos=[photo_bytes()])

    response = assert_fixed_queries(client, "/reviews/mine", more)
    assert page_text(response).count("Sửa đánh giá") == 4
