"""The farm's batch pages over HTTP: create, record, correct, labels, pack, recall."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from orders import services as order_services
from orders.models import Order
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import days_before_now, harvest, make_batch
from traceability.models import Batch, BatchAllocation, BatchEvent


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 140, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def when(days_ago: float = 0) -> str:
    return days_before_now(days_ago).isoformat(timespec="minutes")


@pytest.fixture
def farm(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    make_growing_area(farm)
    make_product(farm, name="Vải thiều Thanh Hà")
    db.session.commit()
    return farm


@pytest.fixture
def farmer(client, farm):
    log_in(client, farm.members[0].user.phone)
    return client


def test_a_farmer_creates_a_batch_with_the_suggested_code(farmer, farm):
    page = farmer.get(f"/dashboard/farms/{farm.id}/batches").get_data(as_text=True)
    code = re.search(r'name="code"[^>]*value="([^"]+)"', page).group(1)
    area = farm.growing_areas[0]

    response = farmer.post_form(
        f"/dashboard/farms/{farm.id}/batches",
        {"product_id": str(_product_id(farm)), "growing_area_id": str(area.id), "code": code},
    )

    assert response.status_code == 302
    batch = db.session.scalar(select(Batch))
    assert batch.code == code == f"VT{local_today():%y%m}-A"
    assert batch.growing_area_id == area.id


def _product_id(farm) -> int:
    from products.models import Product

    return db.session.scalar(select(Product.id).where(Product.farm_id == farm.id))


def test_a_wrong_batch_code_is_explained_and_nothing_is_saved(farmer, farm):
    before = database_snapshot()
    response = farmer.post_form(
        f"/dashboard/farms/{farm.id}/batches",
        {"product_id": str(_product_id(farm)), "growing_area_id": "", "code": "Vải 01"},
    )

    assert response.status_code == 422
    assert "chữ cái không dấu" in page_text(response)
    assert database_snapshot() == before


def test_another_farmer_cannot_see_or_change_the_batch(client, farm):
    batch = make_batch(farm)
    stranger = make_farm()
    db.session.commit()
    log_in(client, stranger.members[0].user.phone)
    before = database_snapshot()

    assert client.get(f"/dashboard/batches/{batch.id}").status_code == 403
    response = client.post_form(
        f"/dashboard/batches/{batch.id}?kind=note", {"occurred_at": when(), "note": "x"}
    )
    assert response.status_code == 403
    assert (
        client.post_form(f"/dashboard/batches/{batch.id}/recall", {"reason": "x"}).status_code
        == 403
    )
    assert client.get(f"/dashboard/farms/{farm.id}/batches").status_code == 403
    assert database_snapshot() == before  # no event, not recalled


def test_recording_a_spraying_with_a_photo_then_an_early_harvest(farmer, farm):
    batch = make_batch(farm)
    db.session.commit()

    sprayed = farmer.post_form(
        f"/dashboard/batches/{batch.id}?kind=spraying",
        {
            "occurred_at": when(3),
            "product": "Regent 800WG",
            "active_ingredient": "Fipronil",
            "dose": "1 g / 16 lít",
            "phi_days": "14",
            "note": "",
            "place": "",
            "photos": [(io.BytesIO(_jpeg()), "phun.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert sprayed.status_code == 302
    event = db.session.scalar(select(BatchEvent))
    assert event.details["phi_days"] == 14 and len(event.photo_keys) == 1
    assert farmer.get(f"/media/{event.photo_keys[0]}").status_code == 200
    before = database_snapshot()

    early = farmer.post_form(
        f"/dashboard/batches/{batch.id}?kind=harvest",
        {"occurred_at": when(0), "quantity": "500", "unit": "kg", "note": "", "place": ""},
    )
    assert early.status_code == 422
    assert "Chưa được thu hoạch" in page_text(early)
    assert database_snapshot() == before


def test_a_correction_keeps_the_original_and_shows_both(farmer, farm):
    batch = make_batch(farm)
    db.session.commit()
    farmer.post_form(
        f"/dashboard/batches/{batch.id}?kind=fertilising",
        {
            "occurred_at": when(2),
            "input": "Phân NPK",
            "amount": "20 kg/gốc",
            "note": "",
            "place": "",
        },
    )
    wrong = db.session.scalar(select(BatchEvent))

    form = farmer.get(f"/dashboard/batches/{batch.id}?correct={wrong.id}").get_data(as_text=True)
    assert 'value="20 kg/gốc"' in form
    farmer.post_form(
        f"/dashboard/batches/{batch.id}?correct={wrong.id}",
        {
            "occurred_at": when(2),
            "input": "Phân NPK",
            "amount": "2 kg/gốc",
            "note": "Ghi nhầm số",
            "place": "",
            "corrects_id": str(wrong.id),
        },
    )

    events = db.session.scalars(select(BatchEvent).order_by(BatchEvent.seq)).all()
    assert [e.details["amount"] for e in events] == ["20 kg/gốc", "2 kg/gốc"]
    public = page_text(farmer.get(f"/trace/{farm.slug}/{batch.code}"))
    assert "Đã được sửa bằng mục 2." in public and "Sửa cho mục 1." in public


def test_printing_labels_issues_serials_and_returns_the_pdf(farmer, farm):
    batch = make_batch(farm)
    harvest(batch, 2)
    db.session.commit()

    response = farmer.post_form(
        f"/dashboard/batches/{batch.id}/labels", {"format": "a4-24", "count": "30"}
    )
    pdf = farmer.get(response.headers["Location"])

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    page = page_text(farmer.get(f"/dashboard/batches/{batch.id}"))
    assert "Đã in 30 tem" in page
    # The run is listed by the stock the farmer chose, not by its code.
    assert "A4 · 24 tem 70 × 37 mm" in page and "a4-24" not in page


def test_packing_with_batches_links_the_buyers_order_to_the_batch(farmer, farm):
    deliver_everywhere(farm)
    product = farm_product(farm)
    batch = make_batch(farm, product, code="VT2606-A")
    harvest(batch, 2)
    checkout = order_services.place_order(
        {product.variants[0].id: 3},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={product.variants[0].id: product.variants[0].price_vnd},
        today=local_today(),
    )
    order = checkout.orders[0]
    db.session.commit()
    line = order.lines[0]

    page = farmer.get(f"/dashboard/orders/{order.id}/pack-with-batches").get_data(as_text=True)
    assert f'<option value="{batch.id}" selected>' in page
    confirmed = database_snapshot()
    twice = farmer.post_form(
        f"/dashboard/orders/{order.id}/pack-with-batches",
        {
            f"batch-{line.id}-1": str(batch.id),
            f"qty-{line.id}-1": "1",
            f"batch-{line.id}-2": str(batch.id),
            f"qty-{line.id}-2": "1",
        },
    )
    assert twice.status_code == 422  # the same batch twice adds up to 2 of 3: explained
    too_few = farmer.post_form(
        f"/dashboard/orders/{order.id}/pack-with-batches",
        {f"batch-{line.id}-1": str(batch.id), f"qty-{line.id}-1": "2"},
    )
    assert too_few.status_code == 422
    assert database_snapshot() == confirmed  # not packed, no allocation, no event
    packed = farmer.post_form(
        f"/dashboard/orders/{order.id}/pack-with-batches",
        {f"batch-{line.id}-1": str(batch.id), f"qty-{line.id}-1": "3"},
    )

    assert packed.status_code == 302
    packed_once = database_snapshot()
    again = farmer.post_form(
        f"/dashboard/orders/{order.id}/pack-with-batches",
        {f"batch-{line.id}-1": str(batch.id), f"qty-{line.id}-1": "3"},
    )
    assert again.status_code == 422  # a second tap: refused with a message, nothing added
    assert database_snapshot() == packed_once
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "packed"
    assert db.session.scalar(select(BatchAllocation.quantity)) == 3
    buyer_page = farmer.get(f"/orders/c/{checkout.access_token}").get_data(as_text=True)
    assert f'href="/trace/{farm.slug}/VT2606-A"' in buyer_page

    farmer.post_form(
        f"/dashboard/batches/{batch.id}/recall", {"reason": "Nhiễm khuẩn", "confirm": "y"}
    )
    receivers = page_text(farmer.get(f"/dashboard/batches/{batch.id}"))
    assert order.number in receivers and "Lê Minh Anh" in receivers


def farm_product(farm):
    from products.models import Product

    return db.session.scalar(select(Product).where(Product.farm_id == farm.id))


def test_a_lab_test_with_its_report_is_public_on_the_trace_page(farmer, farm):
    batch = make_batch(farm)
    db.session.commit()
    report = b"%PDF-1.4\n% Quatest 1 - phieu ket qua\n%%EOF\n"

    response = farmer.post_form(
        f"/dashboard/batches/{batch.id}?kind=inspection",
        {
            "occurred_at": when(1),
            "inspector": "Quatest 1",
            "result": "Đạt: không phát hiện dư lượng",
            "note": "",
            "place": "",
            "report": (io.BytesIO(report), "ket-qua.pdf"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    key = db.session.scalar(select(BatchEvent)).details["report_key"]
    page = farmer.get(f"/trace/{farm.slug}/{batch.code}").get_data(as_text=True)
    assert f'href="/media/{key}"' in page and "Quatest 1" in page
    served = farmer.get(f"/media/{key}")
    assert served.mimetype == "application/pdf" and served.data == report


def test_an_operator_reaches_any_farms_batches_and_can_recall_one(client, farm):
    from app.auth.roles import Role
    from tests.app.factories import make_user

    batch = make_batch(farm)
    operator = make_user(Role.OPERATOR)
    db.session.commit()
    log_in(client, operator.phone)

    admin = client.get("/admin/farms").get_data(as_text=True)
    assert f'href="/dashboard/farms/{farm.id}/batches"' in admin
    recalled = client.post_form(
        f"/dashboard/batches/{batch.id}/recall", {"reason": "Lệnh của Sở", "confirm": "y"}
    )

    assert recalled.status_code == 302
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).recalled_by_id == operator.id


def test_packing_a_product_without_a_batch_this_season_links_to_recording_one(farmer, farm):
    deliver_everywhere(farm)
    product = farm_product(farm)
    checkout = order_services.place_order(
        {product.variants[0].id: 1},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={product.variants[0].id: product.variants[0].price_vnd},
        today=local_today(),
    )
    db.session.commit()

    page = farmer.get(f"/dashboard/orders/{checkout.orders[0].id}/pack-with-batches")

    assert "đóng gói không kèm lô" in page_text(page)
    assert f'href="/dashboard/farms/{farm.id}/batches"' in page.get_data(as_text=True)
