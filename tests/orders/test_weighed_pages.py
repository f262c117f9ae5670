"""Weighed goods on the pages: the farm weighs and packs, the buyer sees the final total,
the farm sets its limit and records a difference refunded; the documents and the report."""

import csv
import io

import pytest

from app.auth.roles import Role
from app.extensions import db
from orders import services
from orders.farm_counts import order_counts
from orders.weighed.amounts import settlement
from products.weighed import price_for_grams
from tests.app.factories import log_in, make_user
from tests.app.test_pdf_escaping import pdf_text, squeezed
from tests.farms.factories import make_farm
from tests.orders.weighed_factories import PER_KG, make_pomelo, pomelo_order
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


@pytest.fixture
def placed(app):
    variant = make_pomelo()
    variant.product.farm.members[0].user.phone = "+84912000777"
    order = pomelo_order(variant)
    return order


def _plain(response) -> str:
    return page_text(response).replace("\xa0", " ")


def test_the_product_page_says_it_is_charged_by_weight(client, placed):
    page = _plain(client.get(f"/products/{placed.lines[0].variant.product.slug}"))
    assert "≈ 1,2 kg/" in page and "45.000 ₫/kg" in page


def test_the_farm_weighs_and_packs_and_the_buyer_sees_the_final_total(app, client, placed):
    order = placed
    line = order.lines[0]
    log_in(client, "0912000777")
    listing = client.get(f"/dashboard/farms/{order.farm_id}/orders?tab=to_pack")
    assert f'name="grams_{line.id}"' in listing.get_data(as_text=True)
    buyer_page = f"/orders/c/{order.checkout.access_token}"
    assert "nhà vườn cân khi đóng gói" in _plain(app.test_client().get(buyer_page))

    response = client.post_form(
        f"/dashboard/orders/{order.id}/pack-weighed", {f"grams_{line.id}": "2.300"}
    )
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "packed" and order.lines[0].actual_grams == 2300
    final = settlement(order).final_total_vnd
    assert final == order.total_vnd - (2 * 54000 - price_for_grams(PER_KG, 2300))
    page = _plain(app.test_client().get(buyer_page))
    assert "đặt khoảng 2.400 g, đóng gói 2.300 g" in page
    assert "Tổng mới: 133.500 ₫" in page and "Trả 133.500 ₫ tiền mặt khi nhận hàng." in page
    slip = client.get(f"/dashboard/orders/{order.id}/packing-slip.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf"


def test_a_missing_weight_is_refused_on_the_page_and_changes_nothing(client, placed):
    log_in(client, "0912000777")
    before = database_snapshot()
    for url, data in [
        (f"/dashboard/orders/{placed.id}/pack-weighed", {}),
        (f"/dashboard/orders/{placed.id}/pack-weighed", {f"grams_{placed.lines[0].id}": "x"}),
        (f"/dashboard/orders/{placed.id}/pack", {}),  # the one-button step asks for weights
    ]:
        response = client.post_form(url, data, follow_redirects=True)
        assert "Hãy cân Bưởi da xanh" in _plain(response) or "khối lượng" in _plain(response)
    assert database_snapshot() == before


def test_another_farm_cannot_pack_or_set_the_limit(client, placed):
    other = make_farm(name="Vườn khác")
    other.members[0].user.phone = "+84912000888"
    db.session.commit()
    log_in(client, "0912000888")
    before = database_snapshot()
    data = {f"grams_{placed.lines[0].id}": "2400"}
    assert client.post_form(f"/dashboard/orders/{placed.id}/pack-weighed", data).status_code == 403
    assert client.post_form(f"/dashboard/orders/{placed.id}/weight-refunded").status_code == 403
    limit = {"underpayment_absorb_limit_vnd": "5000"}
    url = f"/dashboard/farms/{placed.farm_id}/delivery/weighed"
    assert client.post_form(url, limit).status_code == 403
    assert database_snapshot() == before


def test_the_farm_sets_its_limit_on_the_delivery_page(client, placed):
    log_in(client, "0912000777")
    url = f"/dashboard/farms/{placed.farm_id}/delivery/weighed"
    assert client.post_form(url, {"underpayment_absorb_limit_vnd": "5.000"}).status_code == 302
    page = client.get(f"/dashboard/farms/{placed.farm_id}/delivery").get_data(as_text=True)
    assert 'value="5.000"' in page
    before = database_snapshot()
    for bad in ("-1", "abc", "2.000.000"):
        client.post_form(url, {"underpayment_absorb_limit_vnd": bad})
    assert database_snapshot() == before


def test_a_lighter_transfer_box_is_on_the_refunds_tab_until_refunded(client, placed):
    variant = placed.lines[0].variant
    owner = placed.farm.members[0].user
    order = pomelo_order(variant, payment_method="bank_transfer")
    services.confirm_transfer(order, owner)
    services.pack_order(order, owner, actual_grams={order.lines[0].id: "2200"})
    db.session.commit()
    log_in(client, "0912000777")
    tab = f"/dashboard/farms/{order.farm_id}/orders?tab=refunds"
    assert "Chênh lệch khối lượng cần hoàn" in _plain(client.get(tab))
    assert order_counts([order.farm])[order.farm_id].to_refund == 1  # the dashboard's badge
    assert client.post_form(f"/dashboard/orders/{order.id}/weight-refunded").status_code == 302
    db.session.refresh(order)
    assert order.weight_refunded_at is not None
    assert "Chênh lệch khối lượng cần hoàn" not in _plain(client.get(tab))
    assert order_counts([order.farm])[order.farm_id].to_refund == 0


def test_the_report_carries_the_estimate_and_the_final_revenue(client, placed):
    services.pack_order(
        placed, placed.farm.members[0].user, actual_grams={placed.lines[0].id: "2500"}
    )
    db.session.commit()
    log_in(client, "0912000777")
    data = client.get(f"/dashboard/farms/{placed.farm_id}/reports.csv?days=7")
    rows = list(csv.reader(io.StringIO(data.get_data(as_text=True).lstrip("\ufeff"))))
    header = ["product", "unit", "quantity", "revenue_vnd", "revenue_final_vnd"]
    products = rows[rows.index(header) + 1 :]
    assert products[0][2:] == ["2", "108000", str(price_for_grams(PER_KG, 2500))]


def test_packing_with_batches_records_the_weights_too(client, placed):
    line = placed.lines[0]
    log_in(client, "0912000777")
    url = f"/dashboard/orders/{placed.id}/pack-with-batches"
    assert f'name="grams_{line.id}"' in client.get(url).get_data(as_text=True)
    before = database_snapshot()
    assert client.post_form(url, {}).status_code == 422
    assert database_snapshot() == before
    assert client.post_form(url, {f"grams_{line.id}": "2450"}).status_code == 302
    db.session.refresh(placed)
    assert placed.status == "packed" and placed.lines[0].actual_grams == 2450


def test_the_product_card_says_it_is_charged_by_weight(client, placed):
    farm = placed.farm
    for url in ("/products", f"/farms/{farm.slug}"):
        page = _plain(client.get(url))
        assert "≈ 1,2 kg/quả · 45.000 ₫/kg, tính tiền theo khối lượng thực tế" in page, url


def test_the_buyers_history_says_the_farm_weighed_the_order(app, client, placed):
    services.pack_order(
        placed, placed.farm.members[0].user, actual_grams={placed.lines[0].id: "2400"}
    )
    db.session.commit()
    page = _plain(client.get(f"/orders/c/{placed.checkout.access_token}"))
    assert "Nhà vườn đã cân hàng" in page and "None" not in page
    assert "Khối lượng đúng như ước tính: không có gì thay đổi." in page


def test_the_farm_sells_a_variant_by_weight_from_its_product_page(client, placed):
    product = placed.lines[0].variant.product
    log_in(client, "0912000777")
    page = client.get(f"/dashboard/products/{product.id}").get_data(as_text=True)
    assert 'name="sold_by_weight"' in page and 'name="price_per_kg_vnd"' in page
    fields = {
        "unit": "piece",
        "pack_kg": "",
        "custom_unit": "",
        "price_vnd": "",
        "weight_grams": "1.500",
        "stock": "10",
        "min_order_qty": "1",
        "sold_by_weight": "y",
        "price_per_kg_vnd": "40.000",
    }
    before = database_snapshot()
    refused = client.post_form(
        f"/dashboard/products/{product.id}/variants", {**fields, "price_per_kg_vnd": ""}
    )
    assert refused.status_code == 422 and "giá mỗi kg" in _plain(refused)
    assert database_snapshot() == before
    added = client.post_form(f"/dashboard/products/{product.id}/variants", fields)
    assert added.status_code == 302
    db.session.refresh(product)
    variant = product.variants[-1]
    assert (variant.sold_by_weight, variant.price_per_kg_vnd, variant.price_vnd) == (
        True,
        40000,
        60000,
    )
    # Sold by the unit again, its price is the one typed.
    url = f"/dashboard/variants/{variant.id}"
    response = client.post_form(url, {**fields, "sold_by_weight": "", "price_vnd": "65.000"})
    assert response.status_code == 302
    db.session.refresh(variant)
    assert (variant.sold_by_weight, variant.price_per_kg_vnd, variant.price_vnd) == (
        False,
        None,
        65000,
    )


def test_operators_see_a_weight_difference_among_the_refunds_to_make(client, placed):
    variant = placed.lines[0].variant
    owner = placed.farm.members[0].user
    order = pomelo_order(variant, payment_method="bank_transfer")
    services.confirm_transfer(order, owner)
    services.pack_order(order, owner, actual_grams={order.lines[0].id: "2300"})
    make_user(role=Role.OPERATOR, identifier="0912000999")
    db.session.commit()
    log_in(client, "0912000999")
    page = _plain(client.get("/admin/payouts"))
    assert f"{order.number}" in page and "4.500 ₫" in page and "Chênh lệch khối lượng" in page


def test_the_packing_slip_and_label_carry_the_estimate_and_the_final_figures(
    client, placed, tmp_path
):
    variant = placed.lines[0].variant
    owner = placed.farm.members[0].user
    transfer = pomelo_order(variant, payment_method="bank_transfer")
    services.confirm_transfer(transfer, owner)
    services.pack_order(placed, owner, actual_grams={placed.lines[0].id: "2300"})
    services.pack_order(transfer, owner, actual_grams={transfer.lines[0].id: "2500"})
    db.session.commit()
    log_in(client, "0912000777")

    slip = squeezed(
        pdf_text(client.get(f"/dashboard/orders/{placed.id}/packing-slip.pdf").data, tmp_path)
    )
    for text in ("≈2.400g", "2.300g", "103.500₫", "Chênhlệch", "-4.500₫", "Tổngcuối", "133.500₫"):
        assert text in slip, text
    assert "Thuhộ(COD):133.500₫" in slip  # the final total, not the 138.000 ₫ estimate

    label = squeezed(
        pdf_text(client.get(f"/dashboard/orders/{transfer.id}/label.pdf").data, tmp_path)
    )
    # A heavier prepaid box above the farm's 0 ₫ limit: the rest is collected.
    assert "Đãthanhtoán;thukhigiao:4.500₫" in label
    # The carrier weighs what was packed (2,500 g), not the 2,400 g estimate.
    assert "Khốilượngkhoảng2,5kg" in label


def test_the_stock_page_names_a_weighed_product_as_text_in_its_refusal(client, placed):
    """A new piece price for a weighed variant is refused with the product's name (the
    farm's text; a cooperative's manager sees its members'): a lazy message went into the
    page as markup."""
    variant = placed.lines[0].variant
    variant.product.name = "Bưởi <b id=xss>da xanh</b>"
    db.session.commit()
    log_in(client, "0912000777")
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/farms/{placed.farm_id}/stock",
        {f"stock-{variant.id}": str(variant.stock), f"price-{variant.id}": "60000"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<b id=xss>" not in body and "&lt;b id=xss&gt;" in body
    assert database_snapshot() == before
