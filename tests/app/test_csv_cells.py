"""Every CSV the project writes keeps spreadsheet formulas inert (`=HYPERLINK(…)` in a product
name must not run when the farmer opens the file), and the product import reads its own
export back unchanged and refuses what is not text."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.auth.roles import Role
from app.clock import local_today
from app.csv_cells import FORMULA_START, escape_cell, unescape_cell
from app.errors import DomainError
from app.extensions import db
from farms.services import open_farm
from orders import reports, services
from products.csv_io import export_products_csv, import_products_csv
from products.models import Product
from products.services import add_variant, create_product
from tests.app.factories import log_in, make_user
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot

FORMULAS = [
    '=HYPERLINK("https://evil.example","Xem")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# The helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_that_starts_like_a_formula_gets_a_quote(formula):
    assert escape_cell(formula) == "'" + formula


def test_numbers_stay_numbers_and_plain_text_stays_as_it_is():
    assert escape_cell(595000) == 595000
    assert escape_cell("Vải thiều") == "Vải thiều"


@given(st.text())
def test_unescape_undoes_escape_for_any_text(text):
    escaped = escape_cell(text)
    assert not escaped.startswith(FORMULA_START)
    assert unescape_cell(escaped) == text


# The farm's sales report ---------------------------------------------------------------------


def test_the_sales_report_csv_quotes_formulas_in_product_names_and_units(app, client):
    # Given a farm that sold a product whose name and unit are formulas
    farm = deliver_everywhere(make_farm_for("0912000777"))
    product = make_product(farm, name='=HYPERLINK("https://evil.example","Xem")')
    variant = product.variants[0]
    variant.unit, variant.pack_kg, variant.custom_unit = "custom", None, "@SUM(A1)"
    db.session.flush()
    services.place_order(
        {variant.id: 1},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={variant.id: variant.price_vnd},
        today=local_today(),
    )
    db.session.commit()
    log_in(client, "0912000777")
    # When the farm downloads its report
    data = client.get(f"/dashboard/farms/{farm.id}/reports.csv?days=7").get_data(as_text=True)
    # Then no cell starts like a formula, and the figures are still numbers
    rows = rows_of(data)
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]
    products = rows[
        rows.index(["product", "unit", "quantity", "revenue_vnd", "revenue_final_vnd"]) + 1 :
    ]
    assert products[0][0] == "'" + product.name
    assert products[0][1].startswith("'@SUM(A1)")
    assert products[0][2:] == ["1", str(variant.price_vnd), str(variant.price_vnd)]


def test_figures_csv_quotes_every_text_cell():
    by_product = [reports.ProductFigures("+cmd|' /C calc'!A0", "-kg", 2, 10000, 10000)]
    rows = rows_of(reports.figures_csv([], by_product))
    assert rows[-1] == ["'+cmd|' /C calc'!A0", "'-kg", "2", "10000", "10000"]


# The products file ---------------------------------------------------------------------------


def make_farm_for(identifier: str):
    owner = make_user(role=Role.FARMER, identifier=identifier)
    return open_farm(
        owner,
        name="Vườn thử",
        kind="household",
        province_code="31",
        commune="xã Thanh Hà",
        story="",
        contact_phone=None,
    )


DETAILS = {
    "category": "fresh_fruit",
    "description": "=1+1 là mô tả",
    "gtin": "",
    "growing_area_id": None,
    "season_start": "",
    "season_end": "",
    "preorder_enabled": False,
    "preorder_ships_on": None,
    "preorder_capacity": "",
}
BOX = {
    "unit": "custom",
    "pack_kg": "",
    "custom_unit": "-túi 1 kg",
    "price_vnd": "250000",
    "weight_grams": "1100",
    "stock": "40",
    "min_order_qty": "1",
}


@pytest.fixture
def farm_with_formula_names(app):
    farm = make_farm_for("0912000778")
    owner = farm.members[0].user
    for name in ['=HYPERLINK("https://evil.example")', "'=1+2", "'Vải tươi", "@Cam", "+Bưởi"]:
        product = create_product(farm, owner, name=name, **DETAILS)
        add_variant(product, owner, **BOX)
    db.session.flush()
    return farm, owner


def names(farm) -> list[str]:
    return sorted(db.session.scalars(select(Product.name).where(Product.farm_id == farm.id)))


def test_the_products_file_quotes_formulas_and_reads_back_the_same_names(
    farm_with_formula_names,
):
    # Given products whose names, description and unit start like formulas or with a quote
    farm, owner = farm_with_formula_names
    before = names(farm)
    exported = export_products_csv(farm, owner)
    assert not [c for row in rows_of(exported) for c in row if c.startswith(FORMULA_START)]
    # When the file is uploaded again unchanged
    result = import_products_csv(farm, owner, exported)
    # Then nothing changes
    assert (result.products_updated, result.variants_updated) == (0, 0)
    assert (result.products_created, result.variants_created) == (0, 0)
    assert names(farm) == before
    assert export_products_csv(farm, owner) == exported


def test_a_copy_of_the_file_as_new_products_gives_the_same_names(farm_with_formula_names):
    # Given the export, turned into new products for another farm
    farm, owner = farm_with_formula_names
    rows = rows_of(export_products_csv(farm, owner))
    header, records = rows[0], rows[1:]
    for record in records:
        record[header.index("product_slug")] = ""
        record[header.index("variant_id")] = ""
    other = make_farm_for("0912000779")
    out = io.StringIO()
    csv.writer(out).writerows([header, *records])
    # When it is imported there
    import_products_csv(other, other.members[0].user, out.getvalue())
    # Then the names are the same as on the first farm
    assert names(other) == names(farm)


def test_a_nul_in_a_cell_is_refused_and_nothing_is_saved(farm_with_formula_names):
    # Given a file with a NUL character in a product name on its third line
    farm, owner = farm_with_formula_names
    rows = rows_of(export_products_csv(farm, owner))
    rows[2][rows[0].index("product_name")] = "Vải\x00thiều"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    before = database_snapshot()
    # When it is imported, then it is refused naming the line
    with pytest.raises(DomainError) as raised:
        import_products_csv(farm, owner, out.getvalue())
    assert "3" in str(raised.value.message) and "NUL" in str(raised.value.message)
    # And nothing changed
    assert database_snapshot() == before


def test_uploading_a_file_with_a_nul_says_so_and_saves_nothing(client, farm_with_formula_names):
    farm, owner = farm_with_formula_names
    db.session.commit()
    log_in(client, "0912000778")
    header = export_products_csv(farm, owner).removeprefix("\ufeff").splitlines()[0]
    data = f"{header}\n,Bưởi\x00 đỏ,fresh_fruit,,,,,,,custom,,túi,1000,500,1,1\n".encode()
    before = database_snapshot()

    response = client.post_form(
        f"/dashboard/farms/{farm.id}/products/import",
        {"file": (io.BytesIO(data), "products.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)
    assert database_snapshot() == before
