"""The tea cooperative records a batch's diary on a phone, prints a sheet of QR labels; a
label decoded from the printed PDF opens the batch's history; a buyer's order links to the
batch it was packed from; a recall turns the page red."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect

from app.clock import VIETNAM
from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_checkout
from tests.support.ledger import ledger_mismatches_in
from tests.support.pdf_qr import decode_labels
from traceability.label_formats import FORMATS

BATCH = "CT-E2E-01"


def _typed_time(days_ago: int) -> str:
    moment = datetime.now(VIETNAM) - timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _log_in(page, shop_url: str, identifier: str) -> None:
    page.goto(f"{shop_url}/login")
    page.get_by_label("Số điện thoại hoặc email").fill(identifier)
    page.get_by_label("Mật khẩu").fill("nongsan-demo")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()


def _record(page, what: str, days_ago: int, fields: dict[str, str]) -> None:
    page.get_by_role("link", name=what, exact=True).click()
    page.get_by_label("Thời gian", exact=True).fill(_typed_time(days_ago))
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text(f"Đã ghi: {what}.")).to_be_visible()


def test_a_batch_diary_becomes_a_label_a_buyer_can_scan(
    browser, phone, demo_shop, backend, tmp_path, live_app
):
    page = phone
    _log_in(page, demo_shop, "0912000104")
    page.get_by_role("link", name="Gian hàng", exact=True).click()
    page.get_by_role("link", name="Lô hàng và nhật ký").first.click()

    # A new batch of the year-round tea, from its growing area, with the farm's own code.
    page.get_by_label("Sản phẩm").select_option(label="Chè Tân Cương đặc biệt")
    page.get_by_label("Mã lô").fill(BATCH)
    page.get_by_role("button", name="Tạo lô").click()
    expect(page.get_by_test_id("batch-code")).to_have_text(BATCH)

    _record(
        page, "Bón phân", 20, {"Phân bón hoặc vật tư": "Phân đậu tương ủ", "Lượng bón": "2 tấn/ha"}
    )
    _record(
        page,
        "Phun thuốc",
        12,
        {
            "Thuốc đã phun": "Bt Vi-BT 32000WP",
            "Hoạt chất": "Bacillus thuringiensis",
            "Liều lượng": "25 g / 16 lít",
            "Thời gian cách ly (ngày)": "7",
        },
    )
    # Harvesting two days after the spraying is refused, with the reason.
    page.get_by_role("link", name="Thu hoạch", exact=True).click()
    page.get_by_label("Thời gian", exact=True).fill(_typed_time(10))
    page.get_by_label("Sản lượng thu hoạch").fill("150")
    page.get_by_label("Đơn vị", exact=True).fill("kg chè búp tươi")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Chưa được thu hoạch")).to_be_visible()
    page.screenshot_as("trace-01-early-harvest-refused")
    page.get_by_label("Thời gian", exact=True).fill(_typed_time(3))
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã ghi: Thu hoạch.")).to_be_visible()
    _record(page, "Đóng gói", 2, {"Số kiện": "60", "Quy cách đóng gói": "túi 500 g"})
    expect(page.get_by_test_id("dashboard-timeline").locator("li")).to_have_count(4)
    page.screenshot_as("trace-02-diary")

    # A sheet of 24 labels, as the PDF the farmer prints.
    page.get_by_label("Khổ tem").select_option("a4-24")
    page.get_by_label("Số lượng tem").fill("24")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tạo tem (PDF)").click()
    pdf = download.value.path().read_bytes()
    sheet = decode_labels(pdf, FORMATS["a4-24"], tmp_path / "sheet")
    addresses = [slot[0] for slot in sheet[0] if slot]
    assert len(sheet) == 1 and len(set(addresses)) == 24

    # A shopper scans one label: the batch's history, and a genuine label.
    shopper = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    scan = shopper.new_page()
    scan.goto(demo_shop + urlsplit(addresses[5]).path)
    expect(scan.get_by_test_id("batch-code")).to_have_text(BATCH)
    expect(scan.get_by_test_id("genuineness")).to_contain_text("Tem chính hãng")
    # The four diary entries, and the label run itself (label issuance is part of the chain).
    expect(scan.get_by_test_id("timeline").locator("li")).to_have_count(5)
    expect(scan.get_by_test_id("interval")).to_contain_text("cách thu hoạch 9 ngày; yêu cầu 7 ngày")
    expect(scan.get_by_test_id("chain-ok")).to_be_visible()
    scan.screenshot(path=str(SCREENSHOTS / f"{backend}-trace-03-scanned.png"), full_page=True)

    # A guest buys the tea; the cooperative packs it from the new batch.
    scan.goto(f"{demo_shop}/products/che-tan-cuong-dac-biet")
    scan.get_by_role("button", name="Thêm vào giỏ").click()
    fill_checkout(
        scan,
        name="Trần Thu Hà",
        phone="0987 000 404",
        province="TP. Hà Nội",
        commune="phường Ba Đình",
        street="8 Phan Đình Phùng",
        payment="Trả tiền khi nhận hàng",
    )
    number = scan.locator("[data-testid^=order-]").first.get_attribute("data-testid")
    number = number.removeprefix("order-")
    order_page = scan.url

    page.get_by_role("link", name="Gian hàng", exact=True).click()
    page.get_by_role("link", name="Đơn hàng", exact=True).last.click()
    page.get_by_test_id(f"farm-order-{number}").get_by_test_id("pack-with-batches").click()
    ours = page.locator("option", has_text=BATCH).first.get_attribute("value")
    page.get_by_label("Lô", exact=True).first.select_option(value=ours)
    page.get_by_role("button", name="Đã đóng gói").click()
    expect(page.get_by_text(f"Đã đóng gói đơn {number}.")).to_be_visible()

    scan.goto(order_page)
    origin = scan.get_by_test_id("line-batch")
    expect(origin).to_have_text(f"Nguồn gốc: lô {BATCH}")
    origin.click()
    expect(scan.get_by_test_id("batch-code")).to_have_text(BATCH)

    # The cooperative recalls the batch: the page the buyer opens turns red.
    page.get_by_role("link", name="Gian hàng", exact=True).click()
    page.get_by_role("link", name="Lô hàng và nhật ký").first.click()
    page.get_by_role("link", name=BATCH).click()
    expect(page.get_by_test_id("receivers")).to_contain_text(number)
    page.get_by_label("Lý do thu hồi lô?").fill("Phát hiện nấm mốc trong kho")
    page.get_by_label("Tôi xác nhận: thu hồi lô này, ngừng bán và báo cho người mua").check()
    page.get_by_role("button", name="Thu hồi").click()
    scan.goto(demo_shop + urlsplit(addresses[5]).path)
    expect(scan.get_by_test_id("recall-banner")).to_contain_text("Phát hiện nấm mốc trong kho")
    scan.screenshot(path=str(SCREENSHOTS / f"{backend}-trace-04-recalled.png"), full_page=True)
    shopper.close()
    assert ledger_mismatches_in(live_app[0]) == []
