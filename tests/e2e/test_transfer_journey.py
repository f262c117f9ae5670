"""A buyer pays by transfer on the same phone that shows the VietQR code: copies the account
and the message with the copy buttons, saves the code as an image, and the bank's signed
notification of that very transfer marks the order paid."""

import json
import shutil
import subprocess
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from orders.bank_notifications import sign
from tests.e2e.conftest import PHONE, SCREENSHOTS, fill_checkout
from tests.support.ledger import ledger_mismatches_in
from tests.support.requirements import missing

SECRET = "e2e-bank-secret"


@pytest.fixture
def bank_notifications_on(live_app):
    app, _ = live_app
    app.config["BANK_WEBHOOK_SECRET"] = SECRET
    yield
    app.config["BANK_WEBHOOK_SECRET"] = ""


def _notify_credit(server: str, *, transaction: str, amount: int, account: str, message: str):
    """The bank's notification of a credit, signed as the bank signs it."""
    body = json.dumps(
        {"id": transaction, "amount": amount, "account": account, "description": message}
    ).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        f"{server}/payments/bank-notification",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Nongsan-Timestamp": stamp,
            "X-Nongsan-Signature": sign(SECRET, stamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _copy(page, block, field: str, name: str) -> str:
    """Tap the copy button beside a value as a thumb would, and read back what the phone's
    clipboard holds."""
    row = block.locator(".transfer-row").filter(has=page.get_by_test_id(f"transfer-{field}"))
    button = row.get_by_role("button")
    expect(button).to_have_accessible_name(name)
    button.click()
    expect(button).to_have_text("Đã sao chép")
    expect(button).to_have_accessible_name("Đã sao chép")
    return page.evaluate("navigator.clipboard.readText()")


def test_a_buyer_pays_by_transfer_with_copied_details_and_the_page_shows_it_paid(
    browser, demo_shop, backend, bank_notifications_on, tmp_path, live_app
):
    if shutil.which("zbarimg") is None:
        missing("zbarimg", "install Debian's zbar-tools")
    buyer = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        locale="vi-VN",
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
    )
    page = buyer.new_page()
    # Each farm's minimum order is 100.000 ₫.
    for slug, quantity in (("buoi-thanh-hong", "2"), ("che-tan-cuong-dac-biet", "1")):
        page.goto(f"{demo_shop}/products/{slug}")
        page.get_by_label("Số lượng").fill(quantity)
        page.get_by_role("button", name="Thêm vào giỏ").click()
        expect(page.get_by_text("Đã thêm vào giỏ hàng.")).to_be_visible()
    fill_checkout(
        page,
        name="Trần Thu Hà",
        phone="0977 123 456",
        province="TP. Hà Nội",
        commune="phường Ba Đình",
        street="5 Phan Đình Phùng",
        payment="Chuyển khoản (VietQR)",
    )
    expect(page.get_by_text("Cảm ơn bạn! Đơn hàng đã được đặt.")).to_be_visible()

    # Two farms, two accounts: the page says so before the buyer pays only one of them.
    summary = page.get_by_test_id("transfer-summary")
    expect(summary).to_contain_text("Thanh toán bằng 2 lần chuyển khoản riêng")
    expect(summary).to_contain_text("Tổng cộng:")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-transfer-01-two-farms.png"), full_page=True)

    block = page.locator("[data-testid^=transfer-NS]").first
    number = block.get_attribute("data-testid").removeprefix("transfer-")
    block.scroll_into_view_if_needed()
    account = _copy(page, block, "account", "Sao chép số tài khoản")
    message = _copy(page, block, "message", "Sao chép nội dung chuyển khoản")
    amount = _copy(page, block, "amount", "Sao chép số tiền")
    assert account == block.get_by_test_id("transfer-account").inner_text()
    assert message == number and amount.isdigit()
    block.screenshot(path=str(SCREENSHOTS / f"{backend}-transfer-02-copied.png"))
    # A moment later each button is back to rest, its name and text alike.
    expect(block.get_by_role("button", name="Sao chép số tài khoản")).to_have_text("Sao chép")
    # Nothing is wider than the phone: no sideways scrolling to reach a copy button.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The saved image is the same code, readable from a gallery.
    with page.expect_download() as download_info:
        page.get_by_test_id(f"save-qr-{number}").click()
    download = download_info.value
    assert download.suggested_filename == f"{number}-vietqr.png"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(saved)], capture_output=True, text=True, timeout=30
    )
    assert decoded.returncode == 0 and f"08{len(number):02d}{number}" in decoded.stdout

    # Without JavaScript the same details are there as text, and no button that does nothing.
    plain = browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    bare = plain.new_page()
    bare.goto(page.url)
    bare_block = bare.get_by_test_id(f"transfer-{number}")
    expect(bare_block.get_by_test_id("transfer-account")).to_have_text(account)
    expect(bare_block.get_by_test_id("transfer-message")).to_have_text(message)
    expect(bare_block.get_by_role("button")).to_have_count(0)  # hidden buttons are not buttons
    bare_block.screenshot(path=str(SCREENSHOTS / f"{backend}-transfer-02b-no-script.png"))
    plain.close()

    # The bank tells the shop about the transfer the buyer typed from the copied values.
    answer = _notify_credit(
        demo_shop,
        transaction=f"FT{backend}{number}",
        amount=int(amount),
        account=account,
        message=f"TRAN THU HA chuyen khoan {message}",
    )
    assert answer == {"status": "paid"}

    page.reload()
    order = page.get_by_test_id(f"order-{number}")
    expect(order.get_by_test_id(f"paid-{number}")).to_contain_text("Bạn đã thanh toán đơn này lúc")
    expect(order).to_contain_text("Đã xác nhận")
    expect(page.get_by_test_id(f"transfer-{number}")).to_have_count(0)
    expect(page.get_by_test_id("transfer-summary")).to_have_count(0)  # one transfer is left
    expect(page.locator("[data-testid^=transfer-NS]")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-transfer-03-paid.png"), full_page=True)
    buyer.close()
    assert ledger_mismatches_in(live_app[0]) == []
