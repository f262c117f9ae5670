"""Group buying over HTTP: the public offer page (counts, time left, share previews), joining
as a guest or signed in, the farm's group-offers page, and what hostile input gets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import VIETNAM
from app.db import utcnow
from app.extensions import db
from orders.group_buying.forms import read_local_deadline
from orders.group_buying.models import GroupOffer
from orders.models import Order
from products.models import ProductPhoto
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.group_factories import GROUP_PRICE, join, make_offer
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries, count_queries
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text, review_fields

GUEST = {
    "name": "Trần Thu Hà",
    "phone": "0912 555 001",
    "email": "ha@example.vn",
    "province_code": "01",
    "commune": "00070",
    "street": "5 Hàng Đào",
    "payment_method": "cod",
    "quantity": "2",
}


@pytest.fixture
def offer(app):
    offer = make_offer(min_count=3)
    db.session.add(
        ProductPhoto(
            product_id=offer.variant.product_id, display_key="p/1.webp", thumb_key="p/1t.webp"
        )
    )
    db.session.commit()
    return offer


def _meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{key}" content="([^"]*)"', html)
    assert match, key
    return match.group(1)


def test_the_offer_page_shows_prices_count_time_left_and_share_previews(client, offer):
    join(offer, 1)
    db.session.commit()
    response = client.get(f"/group/{offer.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "90.000 ₫" in text and "120.000 ₫" in text
    assert "1/3 người mua đã tham gia" in text
    assert re.search(r"còn 2[34] giờ \d+ phút", text)
    local = offer.deadline.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
    assert f"Kết thúc lúc {local} (giờ Việt Nam)" in text
    url = f"https://nongsan.test/group/{offer.id}"
    assert _meta(html, "og:url") == url
    assert _meta(html, "og:image") == "https://nongsan.test/media/p/1.webp"
    assert "90.000 ₫" in _meta(html, "og:description").replace("\xa0", " ")
    assert _meta(html, "og:title").startswith("Mua chung: ")
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "twitter:image") == _meta(html, "og:image")
    encoded = "https%3A//nongsan.test/group/" + str(offer.id)
    assert f"https://zalo.me/share?u={encoded}" in html
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in html
    assert 'name="quantity"' in html  # the join form, without JavaScript


def test_the_offer_page_runs_a_fixed_number_of_statements(client, offer):
    url = f"/group/{offer.id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(1, 6):
        join(offer, n)
    db.session.commit()
    with count_queries() as many:
        assert "5/3" in page_text(client.get(url))
    assert len(many) == len(few), "\n".join(s[:90] for s in many)


def test_a_guest_joins_reviewing_the_group_total_then_placing(client, offer):
    review = client.post_form(f"/group/{offer.id}", {**GUEST, "step": "review"})
    assert review.status_code == 200
    assert "210.000 ₫" in page_text(review)  # 2 × 90.000 + 30.000 delivery
    shown = review_fields(review)
    assert shown == {f"price-{offer.variant_id}": "90000", f"total-{offer.farm_id}": "210000"}
    placed = client.post_form(f"/group/{offer.id}", {**GUEST, "step": "place", **shown})
    assert placed.status_code == 302
    order = db.session.scalar(select(Order))
    assert (order.group_offer_id, order.total_vnd, order.status) == (offer.id, 210000, "confirmed")
    page = page_text(client.get(placed.headers["Location"]))
    local = offer.deadline.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
    assert f"Đang chờ mua chung: 1/3, kết thúc lúc {local}." in page

    # The same guest again: refused, nothing placed.
    before = database_snapshot()
    again = client.post_form(f"/group/{offer.id}", {**GUEST, "step": "place", **shown})
    assert again.status_code == 422
    assert "Bạn đã tham gia đợt mua chung này" in page_text(again)
    assert database_snapshot() == before


def test_a_signed_in_buyer_joins_with_their_saved_details(client, offer):
    buyer = make_user()
    db.session.commit()
    log_in(client, buyer.phone)
    fields = {**GUEST, "phone": "0912 555 002"}
    review = client.post_form(f"/group/{offer.id}", {**fields, "step": "review"})
    client.post_form(f"/group/{offer.id}", {**fields, "step": "place", **review_fields(review)})
    order = db.session.scalar(select(Order))
    assert order.checkout.buyer_id == buyer.id
    assert "Đang chờ mua chung" in page_text(client.get("/orders/c/" + order.checkout.access_token))


@pytest.mark.parametrize(
    "tampered",
    [
        {"price-VARIANT": "120000"},  # the usual price
        {"price-VARIANT": "1"},
        {"total-FARM": "1"},
        {"total-FARM": "abc"},
        {"quantity": "3"},  # more than reviewed: the total moved
    ],
)
def test_a_tampered_or_stale_review_places_nothing(client, offer, tampered):
    review = review_fields(client.post_form(f"/group/{offer.id}", {**GUEST, "step": "review"}))
    fields = {**GUEST, "step": "place", **review}
    for key, value in tampered.items():
        key = key.replace("VARIANT", str(offer.variant_id)).replace("FARM", str(offer.farm_id))
        fields[key] = value
    before = database_snapshot()
    response = client.post_form(f"/group/{offer.id}", fields)
    assert response.status_code == 422
    assert database_snapshot() == before


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "99999", "1e3", "２", ""])
def test_a_bad_quantity_is_refused_with_a_message(client, offer, quantity):
    before = database_snapshot()
    response = client.post_form(
        f"/group/{offer.id}", {**GUEST, "quantity": quantity, "step": "review"}
    )
    assert response.status_code == 422
    assert 'class="error' in response.get_data(as_text=True) or "form-errors" in (
        response.get_data(as_text=True)
    )
    assert database_snapshot() == before


def test_a_closed_or_past_deadline_offer_takes_no_join(client, offer):
    review = review_fields(client.post_form(f"/group/{offer.id}", {**GUEST, "step": "review"}))
    offer.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/group/{offer.id}")
    assert 'name="quantity"' not in page.get_data(as_text=True)
    assert "kết quả có sau ít phút" in page_text(page)
    before = database_snapshot()
    response = client.post_form(f"/group/{offer.id}", {**GUEST, "step": "place", **review})
    assert response.status_code == 422
    assert "Đợt mua chung này đã kết thúc: không nhận thêm đơn." in page_text(response)
    assert database_snapshot() == before


@pytest.mark.parametrize("path", ["/group/999999", "/group/0", "/group/abc", "/group/" + "9" * 30])
def test_unknown_offers_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_an_offer_of_an_unpublished_product_is_not_found(client, offer):
    offer.variant.product.status = "draft"
    db.session.commit()
    assert client.get(f"/group/{offer.id}").status_code == 404


# The farm's page ---------------------------------------------------------------------------


@pytest.fixture
def farm_and_variant(app):
    farm = deliver_everywhere(make_farm())
    variant = make_product(farm, prices=(120000,)).variants[0]
    db.session.commit()
    return farm, variant


def _deadline(hours=24) -> str:
    return (utcnow() + timedelta(hours=hours)).astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")


def _offer_fields(of, **changes):
    fields = {
        "variant": str(of.id),
        "group_price_vnd": "95.000",
        "goal": "buyers",
        "min_count": "5",
        "max_boxes": "",
        "deadline": _deadline(),
    }
    fields.update(changes)
    return fields


def test_a_farmer_opens_an_offer_and_sees_it_listed(client, farm_and_variant):
    farm, variant = farm_and_variant
    log_in(client, farm.members[0].user.phone)
    url = f"/dashboard/farms/{farm.id}/group-offers"
    page = client.get(url)
    assert page.status_code == 200 and "Mở đợt mua chung" in page_text(page)
    response = client.post_form(url, _offer_fields(variant))
    assert response.status_code == 302
    offer = db.session.scalar(select(GroupOffer))
    assert (offer.group_price_vnd, offer.min_count, offer.max_boxes) == (95000, 5, 40)
    # Typed in Vietnam's time, stored in UTC (to the minute).
    assert offer.deadline.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M") == _deadline()
    listed = page_text(client.get(url))
    assert "0/5 người mua đã tham gia" in listed and f"/group/{offer.id}" in listed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"group_price_vnd": "150.000"}, "Giá mua chung phải thấp hơn giá thường."),
        ({"deadline": "ngày mai"}, "Chọn giờ kết thúc"),
        ({"deadline": _deadline(24 * 9)}, "Chọn giờ kết thúc"),
        ({"min_count": "-3"}, "mức tối thiểu"),
        ({"goal": "<script>"}, ""),
        ({"variant": "999999"}, ""),
    ],
)
def test_bad_offers_are_refused_with_a_message(client, farm_and_variant, changes, message):
    farm, variant = farm_and_variant
    log_in(client, farm.members[0].user.phone)
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/farms/{farm.id}/group-offers", _offer_fields(variant, **changes)
    )
    assert response.status_code == 422
    assert message in page_text(response)
    assert "<script>" not in response.get_data(as_text=True).split("<main")[-1]
    assert database_snapshot() == before


def test_a_farmer_cannot_offer_another_farms_variant_nor_open_its_page(client, farm_and_variant):
    farm, variant = farm_and_variant
    other = deliver_everywhere(make_farm())
    db.session.commit()
    log_in(client, other.members[0].user.phone)
    before = database_snapshot()
    # On their own page, with the other farm's variant: not one of theirs.
    own = client.post_form(f"/dashboard/farms/{other.id}/group-offers", _offer_fields(variant))
    assert own.status_code == 422
    # The other farm's page: forbidden.
    assert client.get(f"/dashboard/farms/{farm.id}/group-offers").status_code == 403
    theirs = client.post_form(f"/dashboard/farms/{farm.id}/group-offers", _offer_fields(variant))
    assert theirs.status_code == 403
    assert database_snapshot() == before
    assert db.session.scalar(select(func.count(GroupOffer.id))) == 0


def test_a_visitor_is_sent_to_log_in(client, farm_and_variant):
    farm, _ = farm_and_variant
    response = client.get(f"/dashboard/farms/{farm.id}/group-offers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_farm_sees_the_wait_and_cannot_pack_before_the_group_succeeds(client, offer):
    order = join(offer, 1)
    db.session.commit()
    log_in(client, offer.farm.members[0].user.phone)
    orders_page = page_text(client.get(f"/dashboard/farms/{offer.farm_id}/orders?tab=to_pack"))
    assert "Đang chờ mua chung: 1/3" in orders_page
    response = client.post_form(f"/dashboard/orders/{order.id}/pack", follow_redirects=True)
    assert f"Đơn {order.number} đang chờ đợt mua chung" in page_text(response)
    db.session.refresh(order)
    assert order.status == "confirmed"
    assert GROUP_PRICE == order.lines[0].unit_price_vnd


def test_the_farms_offers_and_orders_pages_run_a_fixed_number_of_statements(client, offer):
    join(offer, 1)
    db.session.commit()
    farm = offer.farm
    log_in(client, farm.members[0].user.phone)
    offers = [offer]

    def more_offers():
        for n in (2, 3):
            offers.append(make_offer(farm=farm))
            join(offers[-1], n, quantity=2)

    def more_orders():
        for n in (4, 5):
            for each in offers:
                join(each, n)

    page = assert_fixed_queries(client, f"/dashboard/farms/{farm.id}/group-offers", more_offers)
    assert page_text(page).count("người mua đã tham gia") == 3
    page = assert_fixed_queries(client, f"/dashboard/farms/{farm.id}/orders?tab=all", more_orders)
    assert page_text(page).count("Đang chờ mua chung") == 9


def test_the_forms_start_from_sensible_values(client, farm_and_variant):
    farm, variant = farm_and_variant
    variant.min_order_qty = 2
    offer = make_offer(farm=farm)
    offer.variant.min_order_qty = 2
    db.session.commit()
    html = client.get(f"/group/{offer.id}").get_data(as_text=True)
    assert re.search(r'<input id="quantity"[^>]* value="2">', html)
    log_in(client, farm.members[0].user.phone)
    page = client.get(f"/dashboard/farms/{farm.id}/group-offers").get_data(as_text=True)
    shown = re.search(r'<input [^>]*id="deadline"[^>]* value="([^"]+)"', page).group(1)
    tomorrow = read_local_deadline(shown)
    assert abs(tomorrow - (utcnow() + timedelta(hours=24))) < timedelta(minutes=2)
