"""The farm's Vouchers page, the operators' platform vouchers and the checkout's code field."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.roles import Role
from app.clock import local_today
from app.extensions import db
from orders.models import Checkout, Order
from orders.vouchers.models import Voucher
from products.models import Product
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.test_stripe import stripe_app  # noqa: F401 (a fixture)
from tests.orders.vouchers.factories import make_voucher
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text, review_fields

ADDRESS = {
    "name": "Lê Minh Anh",
    "phone": "0987 654 321",
    "email": "",
    "province_code": "01",
    "commune": "00070",
    "street": "12 Hàng Bạc",
    "payment_method": "bank_transfer",
}


@pytest.fixture
def farm(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    make_product(farm, name="Vải thiều", prices=(180000,))
    db.session.commit()
    return farm


def _product(farm):
    return db.session.scalar(select(Product).where(Product.farm_id == farm.id))


def _form(**overrides):
    today = local_today()
    fields = {
        "code": "tet2027",
        "kind": "percent",
        "value": "15",
        "max_discount_vnd": "50.000",
        "min_spend_vnd": "100.000",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=10)).isoformat(),
        "total_uses": "100",
        "uses_per_buyer": "1",
    }
    fields.update(overrides)
    return fields


def test_a_farmer_creates_lists_and_disables_a_voucher(client, farm):
    log_in(client, farm.members[0].user.phone)
    url = f"/dashboard/farms/{farm.id}/vouchers"
    response = client.post_form(url, _form(products=[str(_product(farm).id)]))
    assert response.status_code == 302
    voucher = db.session.scalar(select(Voucher))
    assert (voucher.code, voucher.farm_id, voucher.value, voucher.max_discount_vnd) == (
        "TET2027",
        farm.id,
        15,
        50000,
    )
    assert [p.id for p in voucher.products] == [_product(farm).id]
    text = page_text(client.get(url))
    assert "TET2027" in text and "0 / 100" not in text and "100" in text
    response = client.post_form(f"{url}/{voucher.id}/disable")
    assert response.status_code == 302
    db.session.refresh(voucher)
    assert voucher.active is False


def test_a_wrong_voucher_is_refused_with_a_message_and_changes_nothing(client, farm):
    log_in(client, farm.members[0].user.phone)
    db.session.commit()
    before = database_snapshot()
    for fields, words in [
        ({"code": "a"}, "3"),
        ({"value": "150"}, ""),
        ({"ends_on": (local_today() - timedelta(days=1)).isoformat()}, ""),
        ({"uses_per_buyer": "500"}, ""),
        ({"products": ["999999"]}, ""),
    ]:
        response = client.post_form(f"/dashboard/farms/{farm.id}/vouchers", _form(**fields))
        assert response.status_code == 422, fields
        assert words in page_text(response)
    assert database_snapshot() == before


def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_server_error(client, farm):
    """0001-01-01 and 9999-12-31 overflowed turning a Vietnamese day into UTC (a 500)."""
    log_in(client, farm.members[0].user.phone)
    db.session.commit()
    before = database_snapshot()
    for fields, words in [
        ({"starts_on": "0001-01-01"}, "đã qua"),
        ({"starts_on": "01/01/2000"}, "đã qua"),
        ({"ends_on": "9999-12-31"}, "5 năm"),
    ]:
        response = client.post_form(f"/dashboard/farms/{farm.id}/vouchers", _form(**fields))
        assert response.status_code == 422, fields
        assert words in page_text(response), fields
    assert database_snapshot() == before


def test_a_live_code_is_unique_per_farm_not_across_farms(client, farm):
    make_voucher(farm, code="TET2027")
    other = deliver_everywhere(make_farm(name="HTX Bưởi"))
    make_voucher(other, code="TET2027")  # another issuer may use the same code
    db.session.commit()
    log_in(client, farm.members[0].user.phone)
    response = client.post_form(f"/dashboard/farms/{farm.id}/vouchers", _form())
    assert response.status_code == 422 and "TET2027" in page_text(response)


def test_another_farms_farmer_cannot_see_create_or_disable_its_vouchers(client, farm):
    voucher = make_voucher(farm)
    intruder_farm = make_farm(name="Trại khác")
    db.session.commit()
    log_in(client, intruder_farm.members[0].user.phone)
    before = database_snapshot()
    assert client.get(f"/dashboard/farms/{farm.id}/vouchers").status_code == 403
    assert client.post_form(f"/dashboard/farms/{farm.id}/vouchers", _form()).status_code == 403
    assert (
        client.post_form(f"/dashboard/farms/{farm.id}/vouchers/{voucher.id}/disable").status_code
        == 403
    )
    # Through their own farm's address, another farm's voucher does not exist.
    response = client.post_form(
        f"/dashboard/farms/{intruder_farm.id}/vouchers/{voucher.id}/disable"
    )
    assert response.status_code == 404
    assert database_snapshot() == before


def test_country_wide_operators_create_platform_vouchers_and_nobody_else(client, app):
    operator = make_user(Role.OPERATOR)
    province_operator = make_user(Role.OPERATOR, operator_province_code="01")
    buyer = make_user()
    db.session.commit()
    for person in (buyer, province_operator):
        log_in(client, person.phone)
        before = database_snapshot()
        assert client.post_form("/admin/vouchers", _form()).status_code == 403
        assert database_snapshot() == before
        client.post_form("/logout")
    log_in(client, operator.phone)
    assert client.post_form("/admin/vouchers", _form(code="NONGSAN")).status_code == 302
    voucher = db.session.scalar(select(Voucher))
    assert voucher.farm_id is None and voucher.code == "NONGSAN"
    assert "NONGSAN" in page_text(client.get("/admin/vouchers"))
    assert client.post_form(f"/admin/vouchers/{voucher.id}/disable").status_code == 302
    db.session.refresh(voucher)
    assert voucher.active is False


def test_the_voucher_lists_run_a_fixed_number_of_queries(client, farm):
    operator = make_user(Role.OPERATOR)
    make_voucher(farm, code="ONE", product_ids=[_product(farm).id])
    make_voucher(None, actor=operator, code="PONE")
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    def more_farm_vouchers():
        for n in range(3):
            make_voucher(farm, code=f"MORE{n}", product_ids=[_product(farm).id])

    assert_fixed_queries(client, f"/dashboard/farms/{farm.id}/vouchers", more_farm_vouchers)
    client.post_form("/logout")
    log_in(client, operator.phone)

    def more_platform_vouchers():
        for n in range(3):
            make_voucher(None, actor=operator, code=f"PMORE{n}")

    assert_fixed_queries(client, "/admin/vouchers", more_platform_vouchers)


def _buyer_with_cart(client, farm):
    buyer = make_user()
    db.session.commit()
    log_in(client, buyer.phone)
    variant = _product(farm).variants[0]
    client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "2"})
    return buyer


def test_a_buyer_applies_a_voucher_at_review_and_the_order_keeps_it(client, farm):
    make_voucher(farm, code="GIAM10", value="10")
    _buyer_with_cart(client, farm)
    review = client.post_form("/checkout", {**ADDRESS, "voucher_code": "giam10", "step": "review"})
    assert review.status_code == 200, page_text(review)
    text = page_text(review).replace("\xa0", " ")
    # 2 × 180,000 ₫ = 360,000 ₫, 10 % off = 36,000 ₫; delivery 30,000 ₫ → 354,000 ₫.
    assert "GIAM10: −36.000 ₫" in text and "354.000 ₫" in text
    assert review_fields(review)[f"total-{farm.id}"] == "354000"
    placed = client.post_form(
        "/checkout",
        {**ADDRESS, "voucher_code": "giam10", "step": "place", **review_fields(review)},
    )
    assert placed.status_code == 302
    order = db.session.scalar(select(Order))
    assert (order.discount_vnd, order.total_vnd) == (36000, 354000)
    page = page_text(client.get(placed.headers["Location"])).replace("\xa0", " ")
    assert "GIAM10: −36.000 ₫" in page and "354.000 ₫" in page


def test_a_refused_code_shows_why_and_places_nothing(client, farm):
    make_voucher(farm, code="BIG", min_spend_vnd="500.000")
    _buyer_with_cart(client, farm)
    review = client.post_form("/checkout", {**ADDRESS, "voucher_code": "BIG", "step": "review"})
    assert review.status_code == 422
    text = page_text(review).replace("\xa0", " ")
    assert "140.000 ₫" in text  # 500,000 ₫ needed, 360,000 ₫ in the cart
    assert review_fields(review)[f"total-{farm.id}"] == "390000"  # the total without it
    db.session.commit()
    before = database_snapshot()
    placed = client.post_form(
        "/checkout", {**ADDRESS, "voucher_code": "BIG", "step": "place", **review_fields(review)}
    )
    assert placed.status_code == 422
    assert page_text(placed).replace("\xa0", " ").count("thêm 140.000 ₫") == 1  # said once
    assert database_snapshot() == before
    removed = client.post_form(
        "/checkout", {**ADDRESS, "voucher_code": "BIG", "step": "remove-voucher"}
    )
    assert removed.status_code == 200 and 'value="BIG"' not in removed.get_data(as_text=True)


def test_a_guest_is_asked_to_sign_in_to_use_a_voucher(client, farm):
    make_voucher(farm, code="GIAM10")
    db.session.commit()
    client.post_form("/cart/add", {"variant_id": _product(farm).variants[0].id, "quantity": "1"})
    review = client.post_form("/checkout", {**ADDRESS, "voucher_code": "GIAM10", "step": "review"})
    assert review.status_code == 422
    assert db.session.scalar(select(func.count(Checkout.id))) == 0


@pytest.mark.usefixtures("stripe_app")
def test_stripe_charges_the_discounted_total_in_whole_dong(client, farm):
    make_voucher(farm, code="GIAM10", value="10")
    _buyer_with_cart(client, farm)
    fields = {**ADDRESS, "payment_method": "stripe", "voucher_code": "GIAM10"}
    review = client.post_form("/checkout", {**fields, "step": "review"})
    placed = client.post_form("/checkout", {**fields, "step": "place", **review_fields(review)})
    assert placed.status_code == 302
    _, _, form = client.application.config["STRIPE_HTTP_CLIENT"].requests[-1]
    assert form["line_items[0][price_data][unit_amount]"] == ["354000"]


def test_the_order_page_says_the_voucher_use_came_back_after_cancelling(client, farm):
    voucher = make_voucher(farm, code="GIAM10", value="10")
    _buyer_with_cart(client, farm)
    review = client.post_form("/checkout", {**ADDRESS, "voucher_code": "GIAM10", "step": "review"})
    placed = client.post_form(
        "/checkout",
        {**ADDRESS, "voucher_code": "GIAM10", "step": "place", **review_fields(review)},
    )
    page_url = placed.headers["Location"]
    assert "lượt dùng đã được trả lại" not in page_text(client.get(page_url))
    order = db.session.scalar(select(Order))
    token = page_url.rsplit("/", 1)[1]
    cancelled = client.post_form(f"/orders/c/{token}/cancel/{order.id}", {"confirm": "y"})
    assert cancelled.status_code == 302
    db.session.refresh(voucher)
    assert voucher.used_count == 0
    text = page_text(client.get(page_url))
    assert "GIAM10" in text and "lượt dùng đã được trả lại" in text


def test_a_platform_voucher_limited_to_products_is_refused_with_a_message(client, farm):
    operator = make_user(Role.OPERATOR)
    db.session.commit()
    log_in(client, operator.phone)
    before = database_snapshot()
    response = client.post_form("/admin/vouchers", _form(products=[str(_product(farm).id)]))
    assert response.status_code == 422
    assert "Mã giảm giá của sàn áp dụng cho mọi sản phẩm." in page_text(response)
    assert database_snapshot() == before


def test_a_code_typed_as_markup_is_shown_escaped_in_its_refusal(client, farm):
    """The refusal repeats the code; a lazily translated message is trusted as markup by
    Jinja, so the code went into the page as HTML."""
    _buyer_with_cart(client, farm)
    review = client.post_form(
        "/checkout", {**ADDRESS, "voucher_code": "<img src=x onerror=alert(1)>", "step": "review"}
    )
    assert review.status_code == 422
    body = review.get_data(as_text=True)
    assert "<img src=x" not in body.lower()
    assert "&lt;IMG SRC=X ONERROR=ALERT(1)&gt;" in body
