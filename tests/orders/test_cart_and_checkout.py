"""A guest fills a cart from two farms, checks out, and sees one VietQR per farm."""

import pytest
from sqlalchemy import select

from app.extensions import db
from farms.services import set_bank_account
from orders.models import Checkout
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product, preorder_fields
from tests.support.snapshots import database_snapshot
from tests.support.vietqr_reader import parse_payload, verify_crc
from tests.support.web import page_text, review_fields

ADDRESS = {
    "name": "Lê Minh Anh",
    "phone": "0987 654 321",
    "email": "",
    "province_code": "01",
    "commune": "00070",  # Phường Hoàn Kiếm
    "street": "12 Hàng Bạc",
}


@pytest.fixture
def shop(app):
    lychee_farm = deliver_everywhere(make_farm(name="Vườn vải"))
    set_bank_account(
        lychee_farm,
        lychee_farm.members[0].user,
        bank_bin="970416",
        account_number="257678859",
        holder_name="Nguyen Van Thanh",
    )
    pomelo_farm = deliver_everywhere(make_farm(name="HTX Bưởi"), fee_vnd=25000)
    set_bank_account(
        pomelo_farm,
        pomelo_farm.members[0].user,
        bank_bin="970436",
        account_number="0011002345678",
        holder_name="HTX Buoi Thanh Hong",
    )
    lychee = make_product(lychee_farm, name="Vải thiều", prices=(180000,)).variants[0]
    pomelo = make_product(pomelo_farm, name="Bưởi Thanh Hồng", prices=(55000,)).variants[0]
    db.session.commit()
    return lychee, pomelo


def _fill_cart(client, lychee, pomelo):
    client.post_form("/cart/add", {"variant_id": lychee.id, "quantity": "2"})
    client.post_form("/cart/add", {"variant_id": pomelo.id, "quantity": "3"})


def _review_and_place(client, method="bank_transfer"):
    review = client.post_form("/checkout", {**ADDRESS, "payment_method": method, "step": "review"})
    assert review.status_code == 200, page_text(review)
    return client.post_form(
        "/checkout", {**ADDRESS, "payment_method": method, "step": "place", **review_fields(review)}
    )


def test_the_cart_groups_lines_by_farm_with_each_total_and_the_grand_total(client, shop):
    _fill_cart(client, *shop)
    text = page_text(client.get("/cart?province=01")).replace("\xa0", " ")
    assert "Vườn vải" in text and "HTX Bưởi" in text
    assert "390.000 ₫" in text and "190.000 ₫" in text and "580.000 ₫" in text


def test_a_guest_checks_out_and_sees_one_vietqr_per_farm(client, shop):
    _fill_cart(client, *shop)
    response = _review_and_place(client)
    assert response.status_code == 302
    checkout = db.session.scalar(select(Checkout))
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page_text(page).count("Quét bằng ứng dụng ngân hàng") == 2
    for order in checkout.orders:
        assert f'data-testid="vietqr-{order.number}"' in html
    assert client.get("/cart").get_data(as_text=True).count('data-testid="cart-farm"') == 0
    first = checkout.orders[0]
    assert first.total_vnd == 390000 and first.payment_status == "unpaid"


def test_the_vietqr_payload_carries_the_account_amount_and_order_number(client, shop):
    from orders.views import _vietqr_payload

    _fill_cart(client, *shop)
    _review_and_place(client)
    order = db.session.scalar(select(Checkout)).orders[0]
    payload = _vietqr_payload(order)
    fields = parse_payload(payload)
    assert verify_crc(payload) and fields["54"] == "390000" and fields["01"] == "12"
    assert parse_payload(fields["62"])["08"] == order.number
    assert "257678859" in fields["38"]


def test_cash_on_delivery_needs_no_code(client, shop):
    _fill_cart(client, *shop)
    page = client.get(_review_and_place(client, "cod").headers["Location"])
    assert "Trả tiền mặt khi nhận hàng." in page_text(page) and "vietqr-" not in page.get_data(
        as_text=True
    )


def test_a_price_change_between_review_and_place_asks_to_confirm_again(client, shop):
    lychee, pomelo = shop
    _fill_cart(client, lychee, pomelo)
    client.post_form("/checkout", {**ADDRESS, "payment_method": "cod", "step": "review"})
    before = database_snapshot()
    response = client.post_form(
        "/checkout",
        {
            **ADDRESS,
            "payment_method": "cod",
            "step": "place",
            f"price-{lychee.id}": "150000",
            f"price-{pomelo.id}": "55000",
        },
    )
    assert response.status_code == 422 and "Giá đã thay đổi" in page_text(response)
    assert database_snapshot() == before  # no checkout, no order, no stock taken


@pytest.mark.parametrize("quantity", ["0", "-3", "1001", "abc", "99999999999999"])
def test_impossible_quantities_change_nothing(client, shop, quantity):
    lychee, _ = shop
    response = client.post_form(
        "/cart/add", {"variant_id": lychee.id, "quantity": quantity}, follow_redirects=True
    )
    assert response.status_code == 200
    assert 'data-testid="cart-farm"' not in client.get("/cart").get_data(as_text=True)


def test_an_unknown_variant_is_refused(client, shop):
    before = database_snapshot()
    response = client.post_form(
        "/cart/add", {"variant_id": "999999", "quantity": "1"}, follow_redirects=True
    )
    assert "Sản phẩm này không còn được bán." in page_text(response)
    assert 'data-testid="cart-farm"' not in client.get("/cart").get_data(as_text=True)
    assert database_snapshot() == before


def test_bad_checkout_details_are_explained(client, shop):
    _fill_cart(client, *shop)
    before = database_snapshot()
    response = client.post_form(
        "/checkout", {**ADDRESS, "phone": "12", "payment_method": "cod", "step": "review"}
    )
    assert response.status_code == 422 and "Hãy nhập số di động Việt Nam" in page_text(response)
    response = client.post_form(
        "/checkout", {**ADDRESS, "payment_method": "bitcoin", "step": "review"}
    )
    assert response.status_code == 422 and "Hãy chọn cách thanh toán." in page_text(response)
    assert database_snapshot() == before  # no checkout, no order, no stock taken


def test_a_guest_cart_joins_the_account_on_login(app, client, shop):
    lychee, _ = shop
    make_user(identifier="0912000555")
    client.post_form("/cart/add", {"variant_id": lychee.id, "quantity": "2"})
    log_in(client, "0912000555")
    assert 'data-testid="cart-farm"' in client.get("/cart").get_data(as_text=True)
    other_device = app.test_client()
    log_in(other_device, "0912000555")
    assert "Vải thiều" in page_text(other_device.get("/cart"))


def test_a_checkout_link_is_secret(client, shop):
    assert client.get("/orders/c/guessing").status_code == 404


def test_a_farm_sets_its_delivery_fees_and_minimum_order(app, client):
    farm = make_farm(name="Vườn cam")
    owner = farm.members[0].user
    owner.phone = "+84912000777"
    db.session.flush()
    log_in(client, "0912000777")
    page = client.get(f"/dashboard/farms/{farm.id}/delivery")
    assert "Người mua chưa thể đặt hàng" in page_text(page)

    client.post_form(
        f"/dashboard/farms/{farm.id}/delivery/zones",
        {
            "province_code": "00",
            "fee_rule": "per_weight",
            "fee_vnd": "15.000",
            "weight_step_grams": "5000",
        },
    )
    client.post_form(
        f"/dashboard/farms/{farm.id}/delivery",
        {"min_order_vnd": "100000", "free_delivery_from_vnd": "", "pickup_address": ""},
    )
    bad = client.post_form(
        f"/dashboard/farms/{farm.id}/delivery/zones",
        {
            "province_code": "01",
            "fee_rule": "per_weight",
            "fee_vnd": "15000",
            "weight_step_grams": "",
        },
    )
    assert bad.status_code == 422

    from orders.delivery import settings_for

    settings = settings_for(farm)
    db.session.refresh(settings)
    assert settings.min_order_vnd == 100000
    assert [
        (z.province_code, z.fee_rule, z.fee_vnd, z.weight_step_grams) for z in settings.zones
    ] == [("00", "per_weight", 15000, 5000)]


def test_another_farmer_cannot_change_a_farms_delivery(client):
    farm = make_farm()
    make_user(identifier="0912000555")
    log_in(client, "0912000555")
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/farms/{farm.id}/delivery/zones",
        {"province_code": "00", "fee_rule": "flat", "fee_vnd": "0"},
    )
    assert response.status_code == 403
    assert database_snapshot() == before


def test_without_a_province_the_cart_asks_where_to_deliver_instead_of_guessing_a_fee(client, shop):
    _fill_cart(client, *shop)

    page = client.get("/cart")
    text = page_text(page).replace("\xa0", " ")

    assert 'data-testid="choose-province"' in page.get_data(as_text=True)
    assert "chọn nơi giao hàng để xem phí" in text
    # Subtotals only (2 × 180.000 and 3 × 55.000): no delivery fee has been added.
    assert "525.000 ₫" in text and "580.000 ₫" not in text
    # Checkout asks for the address itself, so the buyer can go on.
    assert "Tiến hành đặt hàng" in text


def test_pre_order_lines_show_their_shipping_date_in_the_cart_and_the_review(client, app):
    from app.clock import local_today

    today = local_today()
    product = make_product(
        deliver_everywhere(make_farm()), name="Cam Hà Giang", **preorder_fields(50, today)
    )
    opens = product.preorder_ships_on
    db.session.commit()
    shown = f"Đặt trước: giao từ {opens.strftime('%d/%m/%Y')}"
    client.post_form("/cart/add", {"variant_id": product.variants[0].id, "quantity": "2"})

    assert shown in page_text(client.get("/cart?province=01"))
    review = client.post_form("/checkout", {**ADDRESS, "payment_method": "cod", "step": "review"})
    assert shown in page_text(review)


def test_without_a_province_the_cart_still_says_what_cannot_be_ordered(client, shop):
    lychee, pomelo = shop
    _fill_cart(client, lychee, pomelo)
    from products import services as product_services

    product_services.hide_product(lychee.product, lychee.product.farm.members[0].user)
    db.session.commit()

    text = page_text(client.get("/cart"))

    assert "không còn được bán" in text
    assert "Tiến hành đặt hàng" not in text


def test_a_cancelled_order_offers_no_way_to_pay(client, shop):
    _fill_cart(client, *shop)
    page_url = _review_and_place(client).headers["Location"]
    cancelled, still_open = db.session.scalar(select(Checkout)).orders
    client.post_form(f"{page_url}/cancel/{cancelled.id}", {"confirm": "y"})

    page = client.get(page_url)
    html = page.get_data(as_text=True)

    assert f'data-testid="vietqr-{cancelled.number}"' not in html
    assert f'data-testid="vietqr-{still_open.number}"' in html
    assert page_text(page).count("Hãy thanh toán trước") == 1


def test_an_order_past_its_time_to_pay_offers_no_way_to_pay(client, shop):
    from datetime import UTC, datetime, timedelta

    _fill_cart(client, *shop)
    page_url = _review_and_place(client).headers["Location"]
    for order in db.session.scalar(select(Checkout)).orders:
        order.pay_before = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()

    page = client.get(page_url)

    assert "vietqr-" not in page.get_data(as_text=True)
    text = page_text(page)
    assert "Hãy thanh toán trước" not in text and "Quét bằng ứng dụng ngân hàng" not in text
    assert text.count("Đơn này không thể thanh toán nữa.") == 2


def _stock(*variants):
    db.session.expire_all()
    return [db.session.get(type(v), v.id).stock for v in variants]


def test_a_delivery_fee_raised_after_the_review_asks_again_and_places_nothing(client, shop):
    from orders.delivery import set_zone

    lychee, pomelo = shop
    _fill_cart(client, lychee, pomelo)
    review = client.post_form("/checkout", {**ADDRESS, "payment_method": "cod", "step": "review"})
    farm = lychee.product.farm
    set_zone(farm, farm.members[0].user, province_code="00", fee_rule="flat", fee_vnd="900000")
    db.session.commit()

    place = {**ADDRESS, "payment_method": "cod", "step": "place"}
    before = database_snapshot()
    response = client.post_form("/checkout", {**place, **review_fields(review)})

    assert response.status_code == 422
    text = page_text(response).replace("\xa0", " ")
    assert "Tổng tiền đã thay đổi" in text and "Vườn vải" in text
    assert "1.260.000 ₫" in text  # the review now shows the new total
    assert database_snapshot() == before  # no checkout, no order, no stock taken

    # Having seen the new total, the buyer confirms and pays exactly that.
    assert client.post_form("/checkout", {**place, **review_fields(response)}).status_code == 302
    first = db.session.scalar(select(Checkout)).orders[0]
    assert (first.delivery_fee_vnd, first.total_vnd) == (900000, 1260000)


def test_a_stale_tab_cannot_place_at_the_total_another_tab_reviewed_later(client, shop):
    from orders.delivery import set_zone

    lychee, pomelo = shop
    _fill_cart(client, lychee, pomelo)
    review_step = {**ADDRESS, "payment_method": "cod", "step": "review"}
    first_tab = client.post_form("/checkout", review_step)  # shows the 30,000 ₫ fee
    farm = lychee.product.farm
    set_zone(farm, farm.members[0].user, province_code="00", fee_rule="flat", fee_vnd="900000")
    db.session.commit()
    client.post_form("/checkout", review_step)  # a second tab sees 900,000 ₫

    place = {**ADDRESS, "payment_method": "cod", "step": "place", **review_fields(first_tab)}
    before = database_snapshot()
    response = client.post_form("/checkout", place)

    assert response.status_code == 422 and "Tổng tiền đã thay đổi" in page_text(response)
    assert database_snapshot() == before


def test_placing_without_a_review_asks_to_review(client, shop):
    lychee, pomelo = shop
    _fill_cart(client, lychee, pomelo)
    fields = {f"price-{lychee.id}": "180000", f"price-{pomelo.id}": "55000"}
    before = database_snapshot()
    response = client.post_form(
        "/checkout", {**ADDRESS, "payment_method": "cod", "step": "place", **fields}
    )
    assert response.status_code == 422 and "Tổng tiền đã thay đổi" in page_text(response)
    assert database_snapshot() == before


@pytest.mark.parametrize("field", ["price-abc", "price-²", "price-99999999999999999999999"])
def test_a_malformed_price_field_is_not_a_500(client, shop, field):
    lychee, pomelo = shop
    _fill_cart(client, lychee, pomelo)
    client.post_form("/checkout", {**ADDRESS, "payment_method": "cod", "step": "review"})
    before = database_snapshot()
    response = client.post_form(
        "/checkout", {**ADDRESS, "payment_method": "cod", "step": "place", field: "1"}
    )
    assert response.status_code == 422
    assert database_snapshot() == before


def test_a_refusal_naming_a_product_shows_its_name_as_text_not_html(client, app):
    """The cart flashes the service's message, which names the product (the farm's text): a
    lazily translated message went through the session as markup, unescaped."""
    product = make_product(deliver_everywhere(make_farm()), name="Vải <b id=xss>đỏ</b>")
    variant = product.variants[0]
    variant.stock = 1
    db.session.commit()
    for url, data in [
        ("/cart/add", {"variant_id": str(variant.id), "quantity": "5"}),
        ("/cart/add", {"variant_id": str(variant.id), "quantity": "1"}),
        ("/cart/update", {f"qty-{variant.id}": "5"}),
    ]:
        response = client.post_form(url, data, follow_redirects=True)
        assert "<b id=xss>" not in response.get_data(as_text=True), url
    assert "&lt;b id=xss&gt;" in response.get_data(as_text=True)
