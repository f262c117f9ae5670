"""The public operations: catalog search, products, farms and traces, with no token."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from app.auth.roles import Role
from app.extensions import db
from farms import services as farm_services
from products import services as product_services
from tests.app.factories import make_user
from tests.farms.factories import make_certification, make_farm
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import NOW, harvest, make_batch, record, spray
from traceability import labels
from traceability import services as trace_services
from traceability.models import Label, LabelScan

EN = {"Accept-Language": "en"}


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (176, 32, 48)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _get(client, url: str, status: int = 200):
    response = client.get(url, headers=EN)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _every_page(client, url: str) -> list[dict]:
    """Follow next_cursor to the end; every item of every page."""
    items, cursor = [], None
    for _ in range(50):
        separator = "&" if "?" in url else "?"
        page = _get(client, url + (f"{separator}cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ran out")


@pytest.fixture
def shelves(app):
    """Lychee and pomelo from Hải Phòng, tea from Thái Nguyên, and a draft."""
    hai_phong = make_farm(name="Vườn vải Thanh Hà", province_code="31")
    thai_nguyen = make_farm(name="HTX Chè Tân Cương", province_code="19", kind="cooperative")
    make_product(hai_phong, name="Vải thiều Thanh Hà", prices=(180000,))
    make_product(hai_phong, name="Bưởi Thanh Hồng", prices=(55000,))
    make_product(thai_nguyen, name="Chè Tân Cương đặc biệt", category="tea", prices=(150000,))
    draft = make_product(thai_nguyen, name="Chè nháp", publish=False)
    db.session.commit()
    return draft


def _names(client, query: str) -> set[str]:
    return {item["name"] for item in _every_page(client, "/api/v1/products?" + query)}


# The catalog ---------------------------------------------------------------------------------


def test_the_catalog_filters_as_the_storefront_does(client, shelves):
    everything = {"Vải thiều Thanh Hà", "Bưởi Thanh Hồng", "Chè Tân Cương đặc biệt"}

    assert _names(client, "") == everything
    assert _names(client, "category=tea") == {"Chè Tân Cương đặc biệt"}
    assert _names(client, "province=31") == {"Vải thiều Thanh Hà", "Bưởi Thanh Hồng"}
    assert _names(client, "price_min=100000&price_max=160000") == {"Chè Tân Cương đặc biệt"}
    assert _names(client, "q=vai%20thieu") == {"Vải thiều Thanh Hà"}
    assert _names(client, "certification=vietgap") == set()


def test_the_catalog_sorts_and_counts(client, shelves):
    page = _get(client, "/api/v1/products?sort=price_asc")

    assert [item["price_from_vnd"] for item in page["items"]] == [55000, 150000, 180000]
    assert (page["total"], page["more"], page["next_cursor"]) == (3, False, None)


def test_ocop_stars_filter_only_verified_certificates(client, app):
    operator = make_user(role=Role.OPERATOR)
    verified, pending = make_product(name="Chè bốn sao"), make_product(name="Chè chưa duyệt")
    for product in (verified, pending):
        certificate = product_services.set_ocop(
            product,
            product.farm.members[0].user,
            stars="4",
            decision_number="QĐ-1/UBND",
            decision_date=NOW.date(),
        )
        if product is verified:
            product_services.verify_ocop(certificate, operator)
    db.session.commit()

    found = _get(client, "/api/v1/products?min_stars=4")["items"]

    assert [(item["name"], item["ocop_stars"]) for item in found] == [("Chè bốn sao", 4)]


def test_catalog_pages_visit_every_product_once(client, app):
    farm = make_farm()
    made = {make_product(farm, prices=(100000 + n,)).id for n in range(7)}
    db.session.commit()

    first = client.get("/api/v1/products?limit=3&sort=newest", headers=EN)
    seen = [item["id"] for item in _every_page(client, "/api/v1/products?limit=3&sort=newest")]

    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))
    assert 'rel="next"' in first.headers["Link"]


def test_a_cursor_keeps_its_page_size_and_one_not_ours_is_refused(client, app):
    farm = make_farm()
    for _ in range(3):
        make_product(farm)
    db.session.commit()
    cursor = _get(client, "/api/v1/products?limit=2")["next_cursor"]

    # A cursor keeps the size it was made with: another would start elsewhere in the ranking.
    second = _get(client, f"/api/v1/products?limit=5&cursor={cursor}")
    forged = client.get("/api/v1/products?cursor=WzEsMl0", headers=EN)  # [1,2]: page 1
    garbage = client.get("/api/v1/products?cursor=%%%", headers=EN)

    assert (len(second["items"]), second["next_cursor"]) == (1, None)
    for refused in (forged, garbage):
        assert refused.status_code == 422
        assert refused.content_type == "application/problem+json"
        assert "cursor" in refused.get_json()["errors"]


def test_a_page_past_the_end_is_empty(client, app):
    make_product()
    db.session.commit()
    from api.paging import encode_cursor

    page = _get(client, f"/api/v1/products?limit=5&cursor={encode_cursor([9, 5])}")

    assert (page["items"], page["next_cursor"]) == ([], None)


def test_nonsense_filters_are_422_problems(client):
    # One test, not parametrized: a parameter beside the session's backend interleaves the
    # backends, and the second PostgreSQL application then finds its database made.
    nonsense = ("category=weapons", "province=99", "min_stars=7", "price_min=-1", "limit=201")

    for query in nonsense:
        response = client.get("/api/v1/products?" + query, headers=EN)
        assert response.status_code == 422, query
        assert response.content_type == "application/problem+json"
        assert list(response.get_json()["errors"]) == [query.split("=")[0]]


def test_the_catalog_runs_a_fixed_number_of_queries(client, app):
    farm = make_farm()
    make_product(farm, prices=(90000, 120000))
    db.session.commit()

    response = assert_fixed_queries(
        client,
        "/api/v1/products?limit=50",
        lambda: [make_product(make_farm(), prices=(90000, 120000)) for _ in range(4)],
    )
    assert len(response.get_json()["items"]) == 5


# A product -----------------------------------------------------------------------------------


def test_a_product_comes_with_variants_farm_photos_and_season(client, app):
    farm = make_farm(name="Vườn vải Cô Lan", contact_phone="0912345678")
    product = make_product(farm, name="Vải thiều", prices=(180000, 350000))
    owner = farm.members[0].user
    product_services.add_product_photo(product, owner, _jpeg())
    product_services.set_stock_and_price(product.variants[1], owner, stock="0", price_vnd="350000")
    make_certification(farm, verified_by=make_user(role=Role.OPERATOR))
    db.session.commit()

    body = _get(client, f"/api/v1/products/{product.id}")

    assert body["name"] == "Vải thiều"
    assert [(v["price_vnd"], v["in_stock"], v["stock"]) for v in body["variants"]] == [
        (180000, True, 40),
        (350000, False, 0),
    ]
    assert body["variants"][0]["unit_label"] == "Box 2 kg"
    assert body["farm"]["name"] == "Vườn vải Cô Lan"
    assert [c["name"] for c in body["certifications"]] == ["VietGAP"]
    assert body["photos"][0]["url"].startswith("https://nongsan.test/media/products/")
    assert body["photo"] == body["photos"][0]
    assert body["url"] == f"https://nongsan.test/products/{product.slug}"
    assert body["season"]["state"] == "year_round"
    assert body["recall"] is None and body["for_sale"] is True


def test_a_draft_hidden_or_suspended_product_is_404(client, app, shelves):
    hidden = make_product(name="Ẩn")
    product_services.hide_product(hidden, hidden.farm.members[0].user)
    suspended = make_product(name="Của trại bị đình chỉ")
    farm_services.suspend_farm(suspended.farm, make_user(role=Role.OPERATOR), "Giấy tờ giả")
    db.session.commit()

    for product_id in (shelves.id, hidden.id, suspended.id, 99999, 2**40):
        response = client.get(f"/api/v1/products/{product_id}", headers=EN)
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"


def test_a_name_with_markup_comes_back_as_the_same_string(client, app):
    name = '<script>alert("x")</script> Vải & "Bưởi"'
    product = make_product(name=name, description="<b>ngọt</b>")
    db.session.commit()

    response = client.get(f"/api/v1/products/{product.id}", headers=EN)

    assert response.content_type == "application/json"
    assert response.get_json()["name"] == name
    assert response.get_json()["description"] == "<b>ngọt</b>"


def test_a_recalled_product_says_so_and_sells_nothing(client, app):
    batch = make_batch(code="VT2606-R")
    harvest(batch, 6)
    trace_services.recall_batch(batch, batch.farm.members[0].user, "Dư lượng thuốc", NOW)
    db.session.commit()

    body = _get(client, f"/api/v1/products/{batch.product_id}")

    assert body["recall"]["batch_code"] == "VT2606-R"
    assert body["recall"]["notice"] == "Recalled: not for sale"
    assert body["recall"]["reason"] == "Dư lượng thuốc"
    assert body["for_sale"] is False
    assert all(not v["in_stock"] and v["stock"] is None for v in body["variants"])
    assert _get(client, "/api/v1/products")["items"] == []


# Farms ---------------------------------------------------------------------------------------


def test_farms_filter_by_province_and_verification(client, app):
    operator = make_user(role=Role.OPERATOR)
    checked = make_farm(name="Đã xác minh", province_code="31")
    farm_services.verify_farm(checked, operator)
    make_farm(name="Chưa xác minh", province_code="31")
    make_farm(name="Ở Thái Nguyên", province_code="19")
    banned = make_farm(name="Bị đình chỉ", province_code="31")
    farm_services.suspend_farm(banned, operator, "Giấy tờ giả")
    db.session.commit()

    def names(query):
        return {farm["name"] for farm in _every_page(client, "/api/v1/farms?" + query)}

    assert names("province=31") == {"Đã xác minh", "Chưa xác minh"}
    assert names("province=31&verified=true") == {"Đã xác minh"}
    assert names("verified=false") == {"Chưa xác minh", "Ở Thái Nguyên"}


def test_farm_pages_visit_every_farm_once(client, app):
    made = {make_farm().id for _ in range(5)}
    db.session.commit()

    seen = [farm["id"] for farm in _every_page(client, "/api/v1/farms?limit=2")]

    assert sorted(seen) == sorted(made)


def test_the_farm_list_runs_a_fixed_number_of_queries(client, app):
    make_farm()
    db.session.commit()

    def more():
        for _ in range(4):
            farm = make_farm()
            farm_services.add_farm_photo(farm, farm.members[0].user, _jpeg())

    response = assert_fixed_queries(client, "/api/v1/farms", more)
    assert len(response.get_json()["items"]) == 5


def test_a_farm_shows_its_public_page_and_nothing_private(client, app):
    farm = make_farm(name="Vườn vải Cô Lan", contact_phone="0912345678", story="Ba đời trồng vải")
    make_product(farm, name="Vải thiều")  # gives the farm a bank account to sell
    make_certification(farm, verified_by=make_user(role=Role.OPERATOR))
    make_certification(farm, number="CHƯA-DUYỆT")
    db.session.commit()

    response = client.get(f"/api/v1/farms/{farm.id}", headers=EN)
    body = response.get_json()

    assert body["story"] == "Ba đời trồng vải"
    assert body["contact_phone"] == "+84912345678"
    assert [p["name"] for p in body["products"]] == ["Vải thiều"]
    assert [c["number"] for c in body["certifications"]] == ["VietGAP-TT-21-0457"]
    text = response.get_data(as_text=True)
    assert "0011001234567" not in text  # the bank account
    assert farm.members[0].user.phone not in text  # the owner's own account


def test_a_suspended_or_unknown_farm_is_404(client, app):
    farm = make_farm()
    farm_services.suspend_farm(farm, make_user(role=Role.OPERATOR), "Giấy tờ giả")
    db.session.commit()

    assert client.get(f"/api/v1/farms/{farm.id}").status_code == 404
    assert client.get("/api/v1/farms/999999").status_code == 404


# Traces --------------------------------------------------------------------------------------


@pytest.fixture
def lychee_batch(app):
    farm = make_farm(name="Vườn vải Cô Lan")
    batch = make_batch(farm, make_product(farm, name="Vải thiều Thanh Hà"), code="VT2606-A")
    spray(batch, 30, phi_days=14)
    wrong = record(batch, "fertilising", 25, input="Phân bò", amount="2 kg/gốc")
    record(
        batch,
        "fertilising",
        25,
        input="Phân hữu cơ vi sinh",
        amount="2 kg/gốc",
        corrects_id=wrong.id,
    )
    harvest(batch, 6, quantity="850")
    db.session.commit()
    return batch


def test_a_batch_trace_shows_farm_area_diary_and_safety(client, lychee_batch):
    body = _get(client, f"/api/v1/trace/batches/{lychee_batch.id}")

    assert (body["code"], body["recalled"], body["recall"]) == ("VT2606-A", False, None)
    assert body["farm"]["name"] == "Vườn vải Cô Lan"
    assert body["growing_area"]["code"] == "VN-HPTH-0123"
    assert body["quantity"] == "850"
    assert body["interval"]["respected"] is True
    assert body["history"] == {"intact": True, "entries": 4, "altered": None, "broken_at": None}
    kinds = [(e["kind"], e["stands"], e["corrects"]) for e in body["events"]]
    assert kinds == [
        ("spraying", True, None),
        ("fertilising", False, None),
        ("fertilising", True, 2),
        ("harvest", True, None),
    ]
    assert body["events"][0]["occurred_at"].endswith("Z")
    assert {"name": "phi_days", "label": "Pre-harvest interval (days)", "value": "14"} in body[
        "events"
    ][0]["details"]
    assert "recorded_by" not in str(body)
    assert body["page_url"] == "https://nongsan.test/trace/" + lychee_batch.farm.slug + "/VT2606-A"


def test_a_batch_is_found_by_code_or_by_farm_and_code(client, lychee_batch):
    slug = lychee_batch.farm.slug

    assert _get(client, "/api/v1/trace/batches/vt2606-a")["id"] == lychee_batch.id
    assert _get(client, f"/api/v1/trace/farms/{slug}/batches/VT2606-A")["id"] == lychee_batch.id
    _get(client, "/api/v1/trace/batches/NO-SUCH", 404)
    _get(client, f"/api/v1/trace/farms/{slug}/batches/NO-SUCH", 404)
    _get(client, "/api/v1/trace/batches/99999999999", 404)


def test_an_altered_history_is_reported_where_it_breaks(client, lychee_batch):
    db.session.execute(
        text("UPDATE batch_event SET place = 'Trung Quốc' WHERE batch_id = :id AND seq = 3"),
        {"id": lychee_batch.id},
    )
    db.session.commit()

    body = _get(client, f"/api/v1/trace/batches/{lychee_batch.id}")

    assert body["history"] == {"intact": False, "entries": 4, "altered": "history", "broken_at": 3}


def test_a_recalled_batch_says_recalled(client, lychee_batch):
    trace_services.recall_batch(
        lychee_batch, lychee_batch.farm.members[0].user, "Dư lượng thuốc vượt mức", NOW
    )
    db.session.commit()

    body = _get(client, f"/api/v1/trace/batches/{lychee_batch.id}")
    in_vietnamese = client.get(
        f"/api/v1/trace/batches/{lychee_batch.id}", headers={"Accept-Language": "vi"}
    ).get_json()

    assert body["recalled"] is True
    assert body["recall"]["notice"] == "This batch has been recalled"
    assert in_vietnamese["recall"]["notice"] != body["recall"]["notice"]
    assert body["status"] == "recalled"
    assert body["recall"]["reason"] == "Dư lượng thuốc vượt mức"
    assert body["recall"]["recalled_at"].endswith("Z")


def test_reading_a_serial_gives_the_trace_and_counts_no_scan(client, lychee_batch):
    run = labels.issue_labels(lychee_batch, lychee_batch.farm.members[0].user, "a4-65", 2)
    serial = labels.run_labels(run)[0].serial
    db.session.commit()
    before = database_snapshot()

    body = _get(client, f"/api/v1/trace/serials/{serial.lower()}")

    assert body["id"] == lychee_batch.id
    assert body["label"] == {
        "serial": serial,
        "scans": 0,
        "first_scanned_at": None,
        "may_be_copied": False,
    }
    assert database_snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(LabelScan)) == 0
    assert db.session.scalar(select(Label.scan_count).where(Label.serial == serial)) == 0


def test_an_unknown_serial_is_404(client, lychee_batch):
    for serial in ("ZZZZZZZZZZ", "not a serial!", "ß"):
        response = client.get(f"/api/v1/trace/serials/{serial}", headers=EN)
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"


def test_public_answers_are_cacheable_like_the_pages(client, lychee_batch):
    url = f"/api/v1/trace/batches/{lychee_batch.id}"
    first = client.get(url, headers=EN)

    again = client.get(url, headers={**EN, "If-None-Match": first.headers["ETag"]})

    assert first.cache_control.public and first.headers["ETag"]
    assert "Accept-Language" in first.headers["Vary"]
    assert again.status_code == 304
