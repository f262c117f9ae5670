"""The province dashboard in a browser: Hải Phòng's operator on a phone sees the province's
figures only, downloads tables as CSV and XLSX, and receives the monthly report from the
outbox (the mailing job run in-process; the PDF read and rendered to a PNG); the country-wide
operator on a desktop screen picks a province, a quarter and a commune. Screenshots of both
widths and of the report's first page are saved and looked at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.operator_scope import record_scope
from app.auth.roles import Role
from app.auth.services import register_user
from app.clock import local_today
from app.extensions import db
from app.messaging.models import OutboundMessage
from dashboard.monthly_report_mailing import MAIL_KIND, mail_monthly_reports
from dashboard.refresh import refresh_figures
from tests.e2e.chart_checks import chart_tables_cut_off, years_running_together
from tests.e2e.conftest import SCREENSHOTS, past_phone_width
from tests.support.requirements import missing

PASSWORD = "mat-khau-an-toan"
OPERATOR_MAIL = "tran.van.hai@haiphong.gov.vn"
DESKTOP = {"width": 1280, "height": 900}


def _prepare(app) -> None:
    with app.app_context():
        operator = register_user("Anh Trần Văn Hải", "0912000441", PASSWORD)
        operator.role = Role.OPERATOR.value
        operator.email = OPERATOR_MAIL  # the monthly report is mailed
        record_scope(operator, "31", None)
        refresh_figures()
        db.session.commit()


def _log_in(page, base: str, identifier: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Số điện thoại hoặc email").fill(identifier)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Quản trị").click()
    page.get_by_test_id("admin-nav").get_by_role("link", name="Bảng số liệu của tỉnh").click()


def _next_first_of_month(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def _mail_the_monthly_reports(app, base: str, monkeypatch) -> str:
    """Run the first-of-the-month job for this month's report (as on the 1st of the next);
    the operator's mail in the outbox, its body. The link points at the live server."""
    monkeypatch.setitem(app.config, "BASE_URL", base)
    with app.app_context():
        assert mail_monthly_reports(_next_first_of_month(local_today())) >= 1
        mail = db.session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.recipient == OPERATOR_MAIL, OutboundMessage.kind == MAIL_KIND
            )
        ).one()
        assert mail.subject.startswith("Báo cáo tháng ") and "TP. Hải Phòng" in mail.subject
        return mail.body


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_province_operator_reads_the_dashboard_on_a_phone(
    live_app, demo_shop, phone, backend, tmp_path, monkeypatch
):
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        missing("pdftotext and pdftoppm", "install Debian's poppler-utils")
    app, _ = live_app
    _prepare(app)
    page = phone

    _log_in(page, demo_shop, "0912000441", PASSWORD)
    expect(page.get_by_test_id("dashboard-scope")).to_contain_text("TP. Hải Phòng")
    expect(page.get_by_test_id("dashboard-freshness")).to_contain_text("Số liệu cập nhật lúc")
    expect(page.get_by_test_id("value-households_listing")).to_have_text("2")
    expect(page.get_by_test_id("figure-households_listing")).to_contain_text(
        "Các hộ hiện có ít nhất một sản phẩm đang đăng bán"
    )
    # Only the province: no province to choose, its own communes, not Thái Nguyên's
    expect(page.locator("#filter-province")).to_have_count(0)
    page.get_by_text("Bộ lọc").click()
    expect(page.locator("#filter-commune option", has_text="xã Thanh Hà")).to_have_count(1)
    expect(page.locator("#filter-commune option", has_text="xã Tân Cương")).to_have_count(0)
    page.screenshot_as("dashboard-01-province-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, past_phone_width(page)
    # The charts read on the phone: each table's numbers in sight under its long header
    # ("Mười hai tháng đến …"), the years under the months apart.
    expect(page.locator(".chart-table-wrap")).to_have_count(3)  # orders, revenue, OCOP stars
    assert chart_tables_cut_off(page) == []
    assert years_running_together(page) == []
    page.locator("figure.chart").first.evaluate("figure => figure.scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-dashboard-04-monthly-chart-phone.png"))

    with page.expect_download() as download:
        page.get_by_test_id("csv-categories").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Danh mục,Kỳ này,Kỳ trước"
    with page.expect_download() as download:
        page.get_by_test_id("xlsx-figures").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    headers = [cell.value for cell in sheet[1]]
    assert headers == ["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi", "Định nghĩa"]
    households = page.get_by_test_id("value-households_listing").inner_text()
    assert [sheet.cell(2, 1).value, sheet.cell(2, 2).value] == [
        "Hộ đang bán (có sản phẩm đăng bán)",
        int(households),
    ]

    # The first of next month, the job mails her the link to this month's report; signed
    # in, she follows it from the mail and gets the PDF of her province.
    body = _mail_the_monthly_reports(app, demo_shop, monkeypatch)
    link = re.search(r"^http\S+$", body, re.MULTILINE).group(0)
    assert (
        link.startswith(f"{demo_shop}/admin/dashboard/monthly-report.pdf?")
        and "province=31" in link
    )
    with page.expect_download() as download:  # as if she clicked it in her mail
        page.evaluate("link => { window.location.href = link }", link)
    assert re.fullmatch(r"bao-cao-thang-31-\d{4}-\d{2}\.pdf", download.value.suggested_filename)
    pdf = tmp_path / "monthly-report.pdf"
    download.value.save_as(pdf)
    answer = page.request.get(link)  # the same link, for its status and type
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "TP. Hải Phòng" in text and "Thái Nguyên" not in text
    lines = {" ".join(line.split()) for line in text.splitlines()}
    assert any(
        line.startswith(f"Hộ đang bán (có sản phẩm đăng bán) {households} ") for line in lines
    ), lines
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-singlefile",
            str(pdf),
            str(SCREENSHOTS / f"{backend}-dashboard-03-monthly-report"),
        ],
        check=True,
    )
    # Signed out, the same link asks for the sign-in.
    stranger = page.context.browser.new_context()
    try:
        signed_out = stranger.request.get(link, max_redirects=0)
        assert signed_out.status in (302, 303) and "/login" in signed_out.headers["location"]
    finally:
        stranger.close()

    # Another province's address is not found for her
    answer = page.goto(f"{demo_shop}/admin/dashboard?province=19")
    assert answer.status == 404


def test_the_country_wide_operator_picks_a_province_and_a_quarter_on_a_desktop(
    live_app, demo_shop, browser, backend
):
    app, _ = live_app
    with app.app_context():
        refresh_figures()
        db.session.commit()
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _log_in(page, demo_shop, "admin@nongsan.demo", "nongsan-demo")
        expect(page.get_by_test_id("dashboard-scope")).to_contain_text("Cả nước")
        page.get_by_text("Bộ lọc").click()
        page.get_by_label("Tỉnh của cơ sở").select_option(label="Thái Nguyên")
        page.get_by_label("Kỳ", exact=True).select_option(label="Quý")
        page.get_by_role("button", name="Xem kết quả").click()
        expect(page.get_by_test_id("dashboard-scope")).to_contain_text("Thái Nguyên")
        expect(page.get_by_test_id("dashboard-scope")).to_contain_text("Quý")
        expect(page.get_by_test_id("value-cooperatives_listing")).to_have_text("1")
        expect(page.get_by_test_id("table-ocop")).to_contain_text("5 sao")
        assert chart_tables_cut_off(page) == [] and years_running_together(page) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{backend}-dashboard-02-desktop.png"), full_page=True
        )
    finally:
        context.close()
