"""A farmer downloads their products as CSV, changes them in a spreadsheet and uploads them
again: all or nothing, every refused line reported, nothing of another farm touched."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from farms.services import open_farm
from products.csv_io import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    CsvImportError,
    export_products_csv,
    import_products_csv,
)
from products.models import Product, ProductStatus, Variant
from products.services import add_variant, create_product
from tests.app.factories import log_in, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

DETAILS = {
    "category": "fresh_fruit",
    "description": "Quả to, cùi dày, hạt lép.\nHái buổi sáng.",
    "gtin": "",
    "growing_area_id": None,
    "season_start": "1/6",
    "season_end": "15/7",
    "preorder_enabled": False,
    "preorder_ships_on": None,
    "preorder_capacity": "",
}
BOX = {
    "unit": "box",
    "pack_kg": "2",
    "custom_unit": "",
    "price_vnd": "250000",
    "weight_grams": "2300",
    "stock": "40",
    "min_order_qty": "1",
}
NEW_VARIANT = {**BOX, "product_slug": "", "variant_id": ""}


def new_farm(name: str, identifier: str):
    owner = make_user(role=Role.FARMER, identifier=identifier, language="en")
    farm = open_farm(
        owner,
        name=name,
        kind="household",
        province_code="31",
        commune="xã Thanh Hà",
        story="",
        contact_phone=None,
    )
    return owner, farm


@pytest.fixture
def owner_and_farm(app):
    owner, farm = new_farm("Vườn vải Thanh Hà", "0912345001")
    lychee = create_product(farm, owner, name="Vải thiều Thanh Hà", **DETAILS)
    add_variant(lychee, owner, **BOX)
    add_variant(lychee, owner, **{**BOX, "unit": "kg", "pack_kg": "", "price_vnd": "110000"})
    create_product(farm, owner, name="Mật ong hoa vải", **{**DETAILS, "category": "honey"})
    return owner, farm


@pytest.fixture
def owner(owner_and_farm):
    return owner_and_farm[0]


@pytest.fixture
def farm(owner_and_farm):
    return owner_and_farm[1]


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def csv_text(rows: list[dict], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def upload(client, farm, data: bytes, **kwargs):
    return client.post_form(
        f"/dashboard/farms/{farm.id}/products/import",
        {"file": (io.BytesIO(data), "products.csv")},
        content_type="multipart/form-data",
        **kwargs,
    )


# Through the services -------------------------------------------------------------------


def test_export_has_one_line_per_variant_and_one_for_a_product_without_any(farm, owner):
    text = export_products_csv(farm, owner)

    assert text.startswith("\ufeffproduct_slug,product_name,category,")
    rows = rows_of(text)
    assert [(r["product_name"], r["unit"], r["pack_kg"]) for r in rows] == [
        ("Vải thiều Thanh Hà", "box", "2"),
        ("Vải thiều Thanh Hà", "kg", ""),
        ("Mật ong hoa vải", "", ""),
    ]
    assert (rows[0]["season_start"], rows[0]["season_end"], rows[0]["status"]) == (
        "1/6",
        "15/7",
        "draft",
    )
    assert rows[0]["description"] == DETAILS["description"]


def test_export_then_import_changes_nothing(farm, owner):
    before = export_products_csv(farm, owner)
    stored = database_snapshot()

    result = import_products_csv(farm, owner, before)

    assert (result.products_created, result.products_updated) == (0, 0)
    assert (result.variants_created, result.variants_updated) == (0, 0)
    assert export_products_csv(farm, owner) == before
    assert database_snapshot() == stored


def test_a_new_product_with_two_variants_is_created_as_a_draft(farm, owner):
    name = "Bưởi Thanh Hồng"
    text = csv_text(
        [
            {**NEW_VARIANT, "product_name": name, "category": "fresh_fruit", "pack_kg": "5"},
            {**NEW_VARIANT, "product_name": name, "unit": "piece", "pack_kg": "", "stock": "9"},
        ]
    )

    result = import_products_csv(farm, owner, text)

    assert (result.products_created, result.variants_created) == (1, 2)
    product = db.session.scalars(select(Product).where(Product.name == name)).one()
    assert product.farm_id == farm.id and product.status == ProductStatus.DRAFT
    assert [(v.unit, v.stock) for v in product.variants] == [("box", 40), ("piece", 9)]
    assert product.price_from_vnd == 250000


def test_a_changed_price_updates_that_variant_only(farm, owner):
    rows = rows_of(export_products_csv(farm, owner))
    rows[1]["price_vnd"] = "95.000"

    result = import_products_csv(farm, owner, csv_text(rows))

    assert (result.variants_updated, result.products_updated) == (1, 0)
    variant = db.session.get(Variant, int(rows[1]["variant_id"]))
    assert variant.price_vnd == 95000
    assert variant.product.price_from_vnd == 95000


def test_the_status_column_does_not_publish(farm, owner):
    rows = rows_of(export_products_csv(farm, owner))
    rows[0]["status"] = "published"

    import_products_csv(farm, owner, csv_text(rows))

    product = db.session.scalars(select(Product).where(Product.slug == rows[0]["product_slug"]))
    assert product.one().status == ProductStatus.DRAFT


def test_bad_lines_3_and_5_are_both_reported_and_nothing_changes(farm, owner):
    before = database_snapshot()
    rows = rows_of(export_products_csv(farm, owner))
    rows[0]["price_vnd"] = "99000"  # line 2: fine on its own
    rows[1]["price_vnd"] = "free"  # line 3
    rows.append({**NEW_VARIANT, "product_name": "Chè Tân Cương", "category": "tea", "unit": "x"})
    rows.append({**NEW_VARIANT, "product_name": "Nhãn lồng", "category": "fresh_fruit"})

    with pytest.raises(CsvImportError) as raised:
        import_products_csv(farm, owner, csv_text(rows))

    errors = raised.value.errors
    assert [error.line for error in errors] == [3, 5]
    assert errors[0].message.startswith("price_vnd: ")
    assert errors[1].message.startswith("unit: ")
    assert database_snapshot() == before  # line 2's good price was not saved either


def test_every_bad_line_is_listed_even_in_a_new_product(farm, owner):
    rows = [
        {**NEW_VARIANT, "product_name": "Nhãn lồng", "category": "nothing"},
        {**NEW_VARIANT, "product_name": "Nhãn lồng", "weight_grams": "0"},
        {**NEW_VARIANT, "product_name": ""},
    ]
    before = database_snapshot()

    with pytest.raises(CsvImportError) as raised:
        import_products_csv(farm, owner, csv_text(rows))

    assert [(e.line, e.message.split(":")[0]) for e in raised.value.errors] == [
        (2, "category"),
        (3, "weight_grams"),
        (4, "Hãy ghi product_slug của một sản phẩm của bạn, hoặc ghi product_name."),
    ]
    assert database_snapshot() == before


def test_a_product_of_another_farm_is_an_unknown_product(farm, owner):
    other_owner, other_farm = new_farm("Vườn bưởi Thanh Hồng", "0912345002")
    pomelo = create_product(other_farm, other_owner, name="Bưởi Thanh Hồng", **DETAILS)
    rows = [{**NEW_VARIANT, "product_slug": pomelo.slug, "product_name": "Hijacked"}]
    before = database_snapshot()

    with pytest.raises(CsvImportError) as raised:
        import_products_csv(farm, owner, csv_text(rows))

    [error] = raised.value.errors
    assert error.line == 2 and error.message.startswith("product_slug: ")
    assert database_snapshot() == before  # the other farm's product kept its name, no variant


def test_a_variant_of_another_product_is_refused(farm, owner):
    rows = rows_of(export_products_csv(farm, owner))
    honey = rows[2]
    honey.update({**BOX, "variant_id": rows[0]["variant_id"]})
    before = database_snapshot()

    with pytest.raises(CsvImportError) as raised:
        import_products_csv(farm, owner, csv_text(rows))

    assert [(e.line, e.message.split(":")[0]) for e in raised.value.errors] == [(4, "variant_id")]
    assert database_snapshot() == before


def test_a_variant_twice_or_a_product_described_twice_differently_is_refused(farm, owner):
    rows = rows_of(export_products_csv(farm, owner))
    rows[1]["product_name"] = "Vải thiều loại 2"  # line 3 contradicts line 2
    rows.append({**rows[0], "price_vnd": "1000"})  # line 5 repeats line 2's variant
    before = database_snapshot()

    with pytest.raises(CsvImportError) as raised:
        import_products_csv(farm, owner, csv_text(rows))

    assert [(e.line, e.message.split(":")[0]) for e in raised.value.errors] == [
        (3, "product_name"),
        (5, "variant_id"),
    ]
    assert database_snapshot() == before


def test_a_semicolon_file_without_bom_keeps_its_vietnamese(farm, owner):
    rows = [{**NEW_VARIANT, "product_name": "Cam sành Hà Giang", "category": "fresh_fruit"}]

    import_products_csv(farm, owner, csv_text(rows, delimiter=";"))

    assert db.session.scalars(select(Product).where(Product.name == "Cam sành Hà Giang")).one()


def test_someone_else_cannot_export_or_import(farm):
    stranger = make_user(role=Role.FARMER)
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        export_products_csv(farm, stranger)
    with pytest.raises(PermissionDenied):
        rows = [{**NEW_VARIANT, "product_name": "Nhãn lồng", "category": "fresh_fruit"}]
        import_products_csv(farm, stranger, csv_text(rows))
    assert database_snapshot() == before


@pytest.mark.parametrize("text", ["", "\ufeff", "\r\n", csv_text([]), csv_text([]) + ",,,\r\n"])
def test_an_empty_file_or_a_header_alone_is_refused(farm, owner, text):
    before = database_snapshot()
    with pytest.raises(DomainError) as raised:
        import_products_csv(farm, owner, text)

    assert raised.value.field == "file" and not isinstance(raised.value, CsvImportError)
    assert database_snapshot() == before


def test_a_file_without_the_columns_is_refused(farm, owner):
    before = database_snapshot()
    with pytest.raises(DomainError) as raised:
        import_products_csv(farm, owner, "name,price\nVải,1000\n")

    assert "product_slug" in str(raised.value.message)
    assert database_snapshot() == before


def test_too_many_lines_are_refused_before_anything_is_read(farm, owner):
    before = database_snapshot()
    rows = [
        {**NEW_VARIANT, "product_name": f"Vải {n}", "category": "fresh_fruit"}
        for n in range(MAX_ROWS + 1)
    ]

    with pytest.raises(DomainError) as raised:
        import_products_csv(farm, owner, csv_text(rows))

    assert str(MAX_ROWS) in str(raised.value.message)
    assert database_snapshot() == before


# Through the pages ----------------------------------------------------------------------


def test_the_farmer_downloads_a_csv_named_after_the_farm(client, farm):
    log_in(client, "0912345001")

    response = client.get(f"/dashboard/farms/{farm.id}/products.csv")

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{farm.slug}-products.csv"'
    data = response.get_data()
    assert data.startswith("\ufeff".encode()) and "Vải thiều Thanh Hà".encode() in data


def test_upload_with_bom_and_semicolons_then_back_to_the_overview(client, farm):
    log_in(client, "0912345001")
    rows = [
        {**NEW_VARIANT, "product_name": "Bưởi Thanh Hồng", "category": "fresh_fruit"},
        {**NEW_VARIANT, "product_name": "Bưởi Thanh Hồng", "unit": "kg", "pack_kg": ""},
    ]
    data = ("\ufeff" + csv_text(rows, delimiter=";")).encode()

    response = upload(client, farm, data)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/dashboard/farms/{farm.id}"
    page = page_text(client.get(response.headers["Location"]))
    assert "New products: 1, updated products: 0, new variants: 2" in page
    assert "Bưởi Thanh Hồng" in page


def test_the_upload_page_lists_every_bad_line_and_saves_nothing(client, farm, owner):
    log_in(client, "0912345001")
    before = database_snapshot()
    rows = rows_of(export_products_csv(farm, owner))
    rows[0]["stock"] = "-3"
    rows[2]["gtin"] = "123"
    rows.append({**NEW_VARIANT, "product_name": "Nhãn lồng", "category": "fresh_fruit"})

    response = upload(client, farm, csv_text(rows).encode())

    assert response.status_code == 422
    text = page_text(response)
    assert "Nothing was imported" in text
    assert "Line 2: stock:" in text and "Line 4: gtin:" in text
    assert database_snapshot() == before


def test_a_windows_1258_file_is_asked_again_as_csv_utf_8(client, farm):
    log_in(client, "0912345001")
    rows = [{**NEW_VARIANT, "product_name": "Cà phê Sơn La", "category": "other"}]
    before = database_snapshot()

    response = upload(client, farm, csv_text(rows).encode("cp1258"))

    assert response.status_code == 422
    assert "CSV UTF-8" in page_text(response)
    assert database_snapshot() == before


def test_an_upload_without_a_file_is_refused(client, farm):
    log_in(client, "0912345001")
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/farms/{farm.id}/products/import", {}, content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert "Choose a CSV file first." in page_text(response)
    assert database_snapshot() == before


def test_the_import_page_offers_the_current_file(client, farm):
    log_in(client, "0912345001")

    response = client.get(f"/dashboard/farms/{farm.id}/products/import")

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'enctype="multipart/form-data"' in html
    assert f'href="/dashboard/farms/{farm.id}/products.csv"' in html


def test_another_farmer_gets_403_on_both_pages(client, farm):
    make_user(role=Role.FARMER, identifier="0912345009", language="en")
    log_in(client, "0912345009")
    before = database_snapshot()
    rows = [{**NEW_VARIANT, "product_name": "Nhãn lồng", "category": "fresh_fruit"}]

    assert client.get(f"/dashboard/farms/{farm.id}/products.csv").status_code == 403
    assert client.get(f"/dashboard/farms/{farm.id}/products/import").status_code == 403
    assert upload(client, farm, csv_text(rows).encode()).status_code == 403
    assert database_snapshot() == before


def test_a_file_over_2_mb_is_refused(farm, owner):
    before = database_snapshot()
    with pytest.raises(DomainError) as raised:
        import_products_csv(farm, owner, csv_text([]) + "x" * MAX_BYTES)

    assert raised.value.field == "file" and "2 MB" in str(raised.value.message)
    assert database_snapshot() == before
