"""Each table downloads as CSV and XLSX: Vietnamese headers, the same numbers as the page,
đồng and percentage formats, and text that a spreadsheet never runs as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from products.models import Product
from tests.app.factories import log_in
from tests.dashboard.scenario import load_demo_story

FORMULA = '=HYPERLINK("http://evil.test","Trà ngon")'
RANGE = "period=range&from=2027-03-01&to=2027-04-30"


@pytest.fixture
def operator_client(app, client):
    load_demo_story(app)
    # A farmer may name a product anything: here, a spreadsheet formula.
    tea = db.session.scalar(select(Product).where(Product.slug == "che-tan-cuong-dac-biet"))
    tea.name = FORMULA
    db.session.commit()
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    return client


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the Vietnamese only after the mark
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_products_csv_escapes_a_formula_and_keeps_the_numbers(operator_client):
    response = operator_client.get(f"/admin/dashboard/products.csv?{RANGE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert _csv_rows(response) == [
        ["Sản phẩm", "Kỳ này", "Kỳ trước"],
        ["'" + FORMULA, "1500000", "0"],
        ["Chè móc câu Tân Cương hộp quà", "650000", "0"],
    ]


def test_the_figures_csv_has_every_figure_with_its_definition(operator_client):
    rows = _csv_rows(operator_client.get("/admin/dashboard/figures.csv?on=2027-04-10"))
    assert rows[0] == ["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi", "Định nghĩa"]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert len(by_label) == 23
    assert by_label["Doanh thu"][:3] == ["765000", "1445000", "-680000"]
    assert by_label["Dòng hàng đã gửi gắn với lô"][:3] == ["1.0", "1.0", "0.0"]
    # Nothing to compare with: what expires in 90 days is counted from today.
    assert by_label["Quyết định OCOP hết hạn trong 90 ngày"][1:3] == ["", ""]
    assert by_label["Lượt quét tem"][3].startswith("Lượt quét các tem đã phát hành")


def test_the_xlsx_has_vietnamese_headers_number_formats_and_inert_text(operator_client):
    from openpyxl import load_workbook

    response = operator_client.get(f"/admin/dashboard/products.xlsx?{RANGE}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == ["Sản phẩm", "Kỳ này", "Kỳ trước"]
    name, revenue, before = sheet[2]
    assert name.value == FORMULA and name.data_type == "s"  # text, never a formula
    assert revenue.value == 1_500_000 and revenue.number_format == '#,##0 "₫"'
    assert before.value == 0

    figures = load_workbook(
        io.BytesIO(operator_client.get("/admin/dashboard/figures.xlsx?on=2027-04-10").data)
    ).active
    rows = {row[0].value: row for row in figures.iter_rows(min_row=2)}
    share = rows["Dòng hàng đã gửi gắn với lô"][1]
    assert share.value == 1.0 and share.number_format == "0.0%"
    assert rows["Đơn hàng được đặt"][2].value == 7
    assert rows["Đơn hàng được đặt"][2].number_format == "#,##0"


def test_every_table_downloads_in_both_formats(operator_client):
    from dashboard.tables import TABLE_KEYS

    for key in TABLE_KEYS:
        for extension in ("csv", "xlsx"):
            response = operator_client.get(f"/admin/dashboard/{key}.{extension}?{RANGE}")
            assert response.status_code == 200, (key, extension)
