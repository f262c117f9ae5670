"""The farm works through its orders; the buyer follows each step."""

import pytest
from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from orders import services
from orders.models import Order
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text, review_fields


@pytest.fixture
def placed(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    farmer = farm.members[0].user
    farmer.phone = "+84912000777"
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    buyer = make_user(identifier="0912000555")
    checkout = services.place_order(
        {variant.id: 2},
        buyer=buyer,
        contact=hanoi_contact(),
        payment_method="bank_transfer",
        shown_prices={variant.id: 180000},
        today=local_today(),
    )
    db.session.commit()
    return checkout, checkout.orders[0]


def test_the_farm_confirms_packs_ships_and_delivers_and_the_buyer_sees_each_step(
    app, client, placed
):
    checkout, order = placed
    log_in(client, "0912000777")
    base = f"/dashboard/orders/{order.id}"
    assert order.number in page_text(client.get(f"/dashboard/farms/{order.farm_id}/orders"))

    buyer = app.test_client()
    for step, data, status in [
        ("confirm-transfer", {}, "Đã xác nhận"),
        ("pack", {}, "Đã đóng gói"),
        ("ship", {"carrier": "ghn", "tracking_number": "GHN123"}, "Đang giao"),
        ("deliver", {}, "Đã giao"),
    ]:
        assert client.post_form(f"{base}/{step}", data).status_code == 302
        assert status in page_text(buyer.get(f"/orders/c/{checkout.access_token}"))

    db.session.refresh(order)
    assert (order.status, order.payment_status, order.carrier) == (
        "delivered",
        "paid",
        "Giao Hàng Nhanh (GHN)",
    )
    assert [e.to_state for e in order.events if e.kind == "status"] == [
        "awaiting_payment",
        "confirmed",
        "packed",
        "shipped",
        "delivered",
    ]


def test_a_farm_cannot_touch_another_farms_order(client, placed):
    _, order = placed
    other = make_farm()
    other.members[0].user.phone = "+84912000888"
    db.session.flush()
    log_in(client, "0912000888")
    before = database_snapshot()
    assert client.post_form(f"/dashboard/orders/{order.id}/confirm-transfer").status_code == 403
    assert client.get(f"/dashboard/farms/{order.farm_id}/orders").status_code == 403
    assert database_snapshot() == before


def test_shipping_needs_a_carrier_and_steps_out_of_order_are_refused(client, placed):
    _, order = placed
    log_in(client, "0912000777")
    before = database_snapshot()
    response = client.post_form(f"/dashboard/orders/{order.id}/deliver", follow_redirects=True)
    assert "không thể chuyển" in page_text(response)
    assert database_snapshot() == before
    client.post_form(f"/dashboard/orders/{order.id}/confirm-transfer")
    client.post_form(f"/dashboard/orders/{order.id}/pack")
    packed = database_snapshot()
    response = client.post_form(
        f"/dashboard/orders/{order.id}/ship", {"carrier": ""}, follow_redirects=True
    )
    assert "Hãy chọn đơn vị vận chuyển trong danh sách." in page_text(response)
    assert client.post_form(f"/dashboard/orders/{order.id}/teleport").status_code == 404
    assert database_snapshot() == packed
    db.session.refresh(order)
    assert order.status == "packed"


def test_the_buyer_cancels_from_the_order_page_and_the_stock_comes_back(client, placed):
    checkout, order = placed
    variant = order.lines[0].variant
    response = client.post_form(
        f"/orders/c/{checkout.access_token}/cancel/{order.id}",
        {"confirm": "y"},
        follow_redirects=True,
    )
    assert "đã được hủy" in page_text(response) or "Đã hủy" in page_text(response)
    db.session.refresh(variant)
    db.session.refresh(order)
    assert order.status == "cancelled" and variant.stock == 40


def test_a_wrong_token_cannot_cancel(client, placed):
    _, order = placed
    before = database_snapshot()
    assert (
        client.post_form(f"/orders/c/not-the-token/cancel/{order.id}", {"confirm": "y"}).status_code
        == 403
    )
    assert database_snapshot() == before  # still awaiting payment, the stock still taken


def test_a_signed_in_buyer_lists_their_orders(client, placed):
    _, order = placed
    log_in(client, "0912000555")
    assert order.number in page_text(client.get("/orders"))
    other = make_user(identifier="0912000999")
    assert other is not None
    client.post_form("/logout")
    log_in(client, "0912000999")
    assert order.number not in page_text(client.get("/orders"))


def test_cash_on_delivery_is_collected_after_shipping(client, app):
    farm = deliver_everywhere(make_farm())
    farm.members[0].user.phone = "+84912000777"
    variant = make_product(farm).variants[0]
    order = services.place_order(
        {variant.id: 1},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={variant.id: variant.price_vnd},
        today=local_today(),
    ).orders[0]
    db.session.commit()
    log_in(client, "0912000777")
    for step, data in [("pack", {}), ("ship", {"carrier": "viettel_post"}), ("cash-collected", {})]:
        client.post_form(f"/dashboard/orders/{order.id}/{step}", data)
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("shipped", "paid")
    assert db.session.scalar(select(Order).where(Order.id == order.id)).carrier == "Viettel Post"


def test_buyers_get_mails_on_placing_payment_shipping_and_cancellation(app, client, outbox):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    farm.members[0].user.phone = "+84912000777"
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    db.session.commit()
    buyer = app.test_client()
    buyer.post_form("/language", {"lang": "en"})
    buyer.post_form("/cart/add", {"variant_id": variant.id, "quantity": "1"})
    fields = {
        "name": "Anna",
        "phone": "0987654321",
        "email": "anna@example.com",
        "province_code": "01",
        "commune": "00070",  # Phường Hoàn Kiếm
        "street": "1 Hàng Bạc",
        "payment_method": "bank_transfer",
    }
    review = buyer.post_form("/checkout", {**fields, "step": "review"})
    buyer.post_form("/checkout", {**fields, "step": "place", **review_fields(review)})
    order = db.session.scalar(select(Order))
    assert outbox[-1]["To"] == "anna@example.com"
    assert outbox[-1]["Subject"] == f"Your order at Nông Sản Số: {order.number}"
    assert "/orders/c/" in outbox[-1].get_content()

    log_in(client, "0912000777")
    client.post_form(f"/dashboard/orders/{order.id}/confirm-transfer")
    client.post_form(f"/dashboard/orders/{order.id}/pack")
    client.post_form(
        f"/dashboard/orders/{order.id}/ship", {"carrier": "ghn", "tracking_number": "X1"}
    )
    subjects = [m["Subject"] for m in outbox]
    assert f"Payment received for order {order.number}" in subjects
    assert f"Order {order.number} is on its way" in subjects
    assert "GHN" in outbox[-1].get_content()


def _pdf_text(data: bytes, tmp_path) -> str:
    import shutil
    import subprocess

    from tests.support.requirements import missing

    if shutil.which("pdftotext") is None:
        missing("pdftotext", "install Debian's poppler-utils")
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


def test_the_packing_slip_and_label_print_vietnamese(client, placed, tmp_path):
    _, order = placed
    log_in(client, "0912000777")
    slip = client.get(f"/dashboard/orders/{order.id}/packing-slip.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf"
    text = _pdf_text(slip.data, tmp_path)
    assert "Vải thiều" in text and "Lê Minh Anh" in text and "Phường Hoàn Kiếm" in text
    assert order.number in text and "360.000" in text

    label = client.get(f"/dashboard/orders/{order.id}/label.pdf")
    text = _pdf_text(label.data, tmp_path)
    assert "Lê Minh Anh" in text and "TP. Hà Nội" in text and "Vườn vải" in text


def test_another_farm_cannot_print_an_order(client, placed):
    _, order = placed
    other = make_farm()
    other.members[0].user.phone = "+84912000888"
    db.session.flush()
    log_in(client, "0912000888")
    assert client.get(f"/dashboard/orders/{order.id}/label.pdf").status_code == 403


def test_the_label_barcode_reads_back_as_the_order_number(client, placed, tmp_path):
    import shutil
    import subprocess

    from tests.support.requirements import missing

    if shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None:
        missing("pdftoppm and zbarimg", "install Debian's poppler-utils and zbar-tools")
    _, order = placed
    log_in(client, "0912000777")
    (tmp_path / "label.pdf").write_bytes(client.get(f"/dashboard/orders/{order.id}/label.pdf").data)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(tmp_path / "label.pdf"), str(tmp_path / "label")],
        check=True,
        timeout=60,
    )
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "label-1.png")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert decoded.stdout.strip() == order.number


def test_a_paid_order_cancelled_by_the_farm_records_its_refund(client, placed, outbox):
    _, order = placed
    log_in(client, "0912000777")
    client.post_form(f"/dashboard/orders/{order.id}/confirm-transfer")
    client.post_form(f"/dashboard/orders/{order.id}/cancel", {"reason": "Mưa đá", "confirm": "y"})
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("cancelled", "refund_needed")
    assert "sẽ được hoàn lại cho bạn" in outbox[-1].get_content()
    assert "Cần hoàn tiền" in page_text(
        client.get(f"/dashboard/farms/{order.farm_id}/orders?tab=refunds")
    )
    response = client.post_form(
        f"/dashboard/orders/{order.id}/refund", {"reason": ""}, follow_redirects=True
    )
    assert "Vui lòng điền mục này." in page_text(response)
    client.post_form(f"/dashboard/orders/{order.id}/refund", {"reason": "Đã chuyển trả 385.000"})
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert order.events[-1].note == "Đã chuyển trả 385.000"


def test_an_unpaid_order_cannot_be_refunded(client, placed):
    _, order = placed
    log_in(client, "0912000777")
    client.post_form(f"/dashboard/orders/{order.id}/cancel", {"reason": "Hết hàng", "confirm": "y"})
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/orders/{order.id}/refund", {"reason": "x"}, follow_redirects=True
    )
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert database_snapshot() == before
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("cancelled", "unpaid")


def test_money_received_for_a_cancelled_order_is_a_refund_to_make(client, placed):
    _, order = placed
    log_in(client, "0912000777")
    client.post_form(f"/dashboard/orders/{order.id}/cancel", {"reason": "Hết hàng", "confirm": "y"})
    client.post_form(f"/dashboard/orders/{order.id}/confirm-transfer")
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("cancelled", "refund_needed")


def test_money_received_is_refused_for_an_order_not_paid_by_transfer(client, app):
    farm = deliver_everywhere(make_farm())
    farm.members[0].user.phone = "+84912000777"
    variant = make_product(farm, prices=(180000,)).variants[0]
    order = services.place_order(
        {variant.id: 1},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="stripe",
        shown_prices={variant.id: 180000},
        today=local_today(),
    ).orders[0]
    db.session.commit()
    log_in(client, "0912000777")
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/orders/{order.id}/confirm-transfer", follow_redirects=True
    )
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert database_snapshot() == before


def test_cash_cannot_be_collected_for_a_cancelled_order(client, app):
    farm = deliver_everywhere(make_farm())
    farm.members[0].user.phone = "+84912000777"
    variant = make_product(farm, prices=(180000,)).variants[0]
    order = services.place_order(
        {variant.id: 1},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={variant.id: 180000},
        today=local_today(),
    ).orders[0]
    db.session.commit()
    log_in(client, "0912000777")
    client.post_form(f"/dashboard/orders/{order.id}/cancel", {"reason": "Hết hàng", "confirm": "y"})
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/orders/{order.id}/cash-collected", follow_redirects=True
    )
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert database_snapshot() == before
