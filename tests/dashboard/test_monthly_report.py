"""The monthly report as a PDF: the demo's figures for April 2027 beside March, the tables,
the definitions and page numbers; user text printed as typed; only for operators who see the
scope. The pages are rendered to PNG (test-output/screenshots) to be looked at."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.auth.roles import Role
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from dashboard.monthly_report import monthly_report
from products.models import Product
from tests.app.factories import log_in, make_user
from tests.dashboard.scenario import admin, load_demo_story
from tests.support.snapshots import database_snapshot

HOSTILE = "<b>& Chè <img src='/etc/passwd'/>"
#: The report's tables its definitions point at (dashboard/tables.py).
TABLE_TITLES = (
    "Products listed by category",
    "OCOP products by stars and certifying level",
    "Revenue by payment method",
    "Revenue by delivery province (where the produce goes)",
    "Revenue by product (goods only, without delivery)",
)
APRIL, TODAY = date(2027, 4, 1), date(2027, 4, 10)
SCREENSHOTS = Path("test-output/screenshots")


@pytest.fixture
def story(app):
    load_demo_story(app)
    # A farmer may name a product anything: here, markup reportlab would otherwise read.
    tea = db.session.scalar(select(Product).where(Product.slug == "che-tan-cuong-dac-biet"))
    tea.name = HOSTILE
    db.session.commit()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def save_pages(pdf: bytes, name: str, tmp_path: Path) -> list[Path]:
    """Render every page to PNG for a person to look at."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(SCREENSHOTS / name)], check=True)
    return sorted(SCREENSHOTS.glob(f"{name}*.png"))


def test_the_country_report_holds_the_demo_figures_and_prints_a_name_as_typed(
    story, tmp_path, backend
):
    pdf = monthly_report(admin(), None, APRIL, TODAY)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "Báo cáo tháng 04/2027: Cả nước" in text
    assert "So sánh với tháng trước (03/2027)." in text
    assert "Số liệu cập nhật lúc" in text
    # Revenue 765.000 ₫ in April against 1.445.000 ₫ in March; one paid transaction against 3.
    assert "765.000" in text and "1.445.000" in text and "−680.000" in text
    lines = {" ".join(line.split()) for line in text.splitlines()}
    assert any(line.startswith("Giao dịch đã thanh toán 1 3 −2") for line in lines), lines
    # The tables: payment method, delivery province, the product by its name as typed.
    assert "Trả tiền khi nhận hàng" in text and "TP. Hồ Chí Minh" in text
    assert HOSTILE in " ".join(text.split())
    # Every figure's definition, and the page numbers.
    assert "Lượt quét các tem đã phát hành" in text
    assert "Trang 1" in text and "Trang 2" in text
    pages = save_pages(pdf, f"monthly-report-country-{backend}", tmp_path)
    assert len(pages) >= 2


def test_a_province_report_holds_only_the_province(story, tmp_path, backend):
    operator = make_user(Role.OPERATOR, operator_province_code="31")
    text = pdf_text(monthly_report(operator, "31", date(2027, 3, 1), TODAY), tmp_path)
    assert "Báo cáo tháng 03/2027: TP. Hải Phòng" in text
    assert HOSTILE not in " ".join(text.split())  # the tea is Thái Nguyên's
    save_pages(
        monthly_report(operator, "31", date(2027, 3, 1), TODAY),
        f"monthly-report-31-{backend}",
        tmp_path,
    )


def test_the_service_refuses_another_province_and_the_country(story):
    operator = make_user(Role.OPERATOR, operator_province_code="31")
    farmer = make_user(Role.FARMER)
    before = database_snapshot()
    with pytest.raises(NotFound):
        monthly_report(operator, "19", APRIL, TODAY)
    with pytest.raises(PermissionDenied):
        monthly_report(operator, None, APRIL, TODAY)
    with pytest.raises(PermissionDenied):
        monthly_report(farmer, "31", APRIL, TODAY)
    assert database_snapshot() == before


def test_a_province_operator_downloads_their_report_in_their_language(story, client, tmp_path):
    operator = make_user(Role.OPERATOR, operator_province_code="31", language="en")
    db.session.commit()
    log_in(client, operator.phone)
    response = client.get("/admin/dashboard/monthly-report.pdf?on=2027-03-05")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="bao-cao-thang-31-2027-03.pdf"' in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    assert "Monthly report 03/2027" in text and "Page 1" in text


def test_another_province_is_not_found_and_changes_nothing(story, client):
    operator = make_user(Role.OPERATOR, operator_province_code="31")
    db.session.commit()
    log_in(client, operator.phone)
    before = database_snapshot()
    response = client.get("/admin/dashboard/monthly-report.pdf?province=19&on=2027-04-01")
    assert response.status_code == 404
    assert database_snapshot() == before


def test_the_dashboard_has_the_button_for_the_chosen_month(story, client):
    log_in(client, "admin@nongsan.demo", "nongsan-demo")
    page = client.get("/admin/dashboard?province=31&on=2027-03-05").get_data(as_text=True)
    assert "Tải báo cáo tháng (PDF)" in page
    assert "/admin/dashboard/monthly-report.pdf?province=31&amp;on=2027-03-01" in page


def test_a_visitor_is_sent_to_sign_in(story, client):
    response = client.get("/admin/dashboard/monthly-report.pdf?province=31")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_a_report_before_any_figure_says_so(app, tmp_path):
    operator = make_user(Role.OPERATOR)
    text = pdf_text(monthly_report(operator, None, APRIL, TODAY), tmp_path)
    assert "Số liệu chưa được tính lần nào." in text
    assert "Chưa có số liệu." in text  # the tables are empty
    assert "Trang 1" in text


@pytest.mark.parametrize(
    "language, untrue, above, made",
    [
        (
            "vi",
            ("bên dưới", "kỳ đã chọn", "từ hôm nay"),
            "ở bảng phía trên",
            r"Báo cáo lập ngày \d\d/\d\d/\d{4}\.",
        ),
        (
            "en",
            ("below", "period chosen", "from today"),
            "in the table above",
            r"Report made on \d\d/\d\d/\d{4}\.",
        ),
    ],
)
def test_every_definition_printed_is_true_of_the_report(
    story, client, tmp_path, language, untrue, above, made
):
    """The dashboard's definitions send the reader to "the table below"; in the PDF the tables
    come first, and what expires counts from the day the report is made (which it prints)."""
    operator = make_user(Role.OPERATOR, operator_province_code="31", language=language)
    db.session.commit()
    log_in(client, operator.phone)
    response = client.get("/admin/dashboard/monthly-report.pdf?on=2027-03-05")
    text = " ".join(pdf_text(response.data, tmp_path).split())
    for words in untrue:
        assert words not in text
    assert re.search(made, text)
    with force_locale(language):
        definitions = text.index(gettext("What each figure counts"))
        # The tables it points at are printed before the definitions.
        for title in TABLE_TITLES:
            assert -1 < text.find(gettext(title)) < definitions, title
    assert text.count(above) == 2 and text.index(above) > definitions
