"""Group buying on a phone: a tea cooperative opens two group offers; three buyers join the
first, which succeeds at its deadline; two join the second, which closes short and cancels
their orders. Each buyer's order page shows the outcome. The clock is moved past each
deadline (freezegun) for the worker's closing job, run as the worker would run it."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time
from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import VIETNAM
from app.db import utcnow
from app.extensions import db
from orders.group_buying.jobs import close_due_group_offers
from orders.group_buying.models import GroupOffer
from tests.e2e.conftest import PHONE, SCREENSHOTS, past_phone_width
from tests.support.ledger import ledger_mismatches_in

FARMER = "0912000104"  # HTX Chè Tân Cương in the demo
TEA = "Chè Tân Cương đặc biệt"
GIFT_BOX = "Chè móc câu Tân Cương hộp quà"


def _log_in_farmer(browser, shop_url):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{shop_url}/login")
    page.get_by_label("Số điện thoại hoặc email").fill(FARMER)
    page.get_by_label("Mật khẩu").fill("nongsan-demo")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Gian hàng", exact=True).click()
    page.get_by_role("link", name="Mua chung", exact=True).click()
    return context, page


def _open_offer(page, product: str, price: str, minimum: str, hours: int) -> str:
    """Open an offer on the product's first variant; the offer page's address."""
    option = page.locator("select[name=variant] option", has_text=product).first
    page.get_by_label("Sản phẩm").select_option(option.get_attribute("value"))
    page.get_by_label("Giá mua chung (đồng)").fill(price)
    page.get_by_label("Bao nhiêu (người mua hoặc hộp)").fill(minimum)
    closes = (utcnow() + timedelta(hours=hours)).astimezone(VIETNAM)
    page.get_by_label("Kết thúc lúc (giờ Việt Nam)").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Mở mua chung").click()
    expect(page.get_by_text("Đã mở mua chung: hãy chia sẻ đường dẫn.")).to_be_visible()
    link = page.locator("[data-testid^=farm-group-offer-]", has_text=product).get_by_role("link")
    return link.first.get_attribute("href")


def _join(browser, url: str, *, name: str, phone: str, payment: str, joined: str):
    """A guest opens the shared link and joins; their order page's address."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")  # the address script listens before the province changes
    page.get_by_label("Số lượng").fill("1")
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Số di động").fill(phone)
    page.get_by_label("Tỉnh hoặc thành phố").select_option(label="TP. Hà Nội")
    communes = page.get_by_label("Xã hoặc phường")
    expect(communes.locator('option[value="00070"]')).to_be_attached()
    page.wait_for_load_state("load")
    communes.select_option("00070")
    page.get_by_label("Số nhà, đường, thôn/ấp").fill("12 Hàng Bạc")
    page.get_by_label(payment).check()
    page.get_by_role("button", name="Xem lại đơn hàng").click()
    expect(page.get_by_test_id("review")).to_be_visible()
    page.get_by_role("button", name="Tham gia và đặt hàng").click()
    expect(page.get_by_text("Cảm ơn bạn! Đơn hàng đã được đặt.")).to_be_visible()
    expect(page.locator("[data-testid^=group-wait-]")).to_contain_text(
        f"Đang chờ mua chung: {joined}"
    )
    return context, page


def _run_the_job_after(app, url: str) -> None:
    """Move the clock a minute past the offer's deadline and run the worker's job."""
    offer_id = int(url.rstrip("/").rsplit("/", 1)[-1])
    with app.app_context():
        deadline = db.session.scalar(select(GroupOffer.deadline).where(GroupOffer.id == offer_id))
    with freeze_time(deadline + timedelta(minutes=1), tick=True):
        assert close_due_group_offers.call_local() >= 1


def test_three_buyers_join_an_offer_that_succeeds_and_another_closes_short(
    browser, live_app, demo_shop, backend
):
    app, _ = live_app
    farmer, shop = _log_in_farmer(browser, demo_shop)
    tea_url = demo_shop + _open_offer(shop, TEA, "120.000", "3", hours=24)
    gift_url = demo_shop + _open_offer(shop, GIFT_BOX, "550.000", "5", hours=2)
    assert past_phone_width(shop) == []
    shop.screenshot(path=str(SCREENSHOTS / f"{backend}-group-00-farm-offers.png"), full_page=True)

    buyers = [
        _join(
            browser,
            tea_url,
            name="Lê Minh Anh",
            phone="0987 100 001",
            payment="Trả tiền khi nhận hàng",
            joined="1/3",
        ),
        _join(
            browser,
            tea_url,
            name="Trần Thu Hà",
            phone="0987 100 002",
            payment="Chuyển khoản (VietQR)",
            joined="2/3",
        ),
        _join(
            browser,
            tea_url,
            name="Phạm Văn Nam",
            phone="0987 100 003",
            payment="Trả tiền khi nhận hàng",
            joined="3/3",
        ),
    ]
    short = [
        _join(
            browser,
            gift_url,
            name="Đỗ Thị Lan",
            phone="0987 100 004",
            payment="Chuyển khoản (VietQR)",
            joined="1/5",
        ),
        _join(
            browser,
            gift_url,
            name="Lê Minh Anh",
            phone="0987 100 001",
            payment="Trả tiền khi nhận hàng",
            joined="2/5",
        ),
    ]

    # The shared page on a phone: prices, 3 of 3 joined, the time left, share links.
    visitor = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    page = visitor.new_page()
    page.goto(tea_url)
    expect(page.get_by_test_id("group-joined")).to_have_text("3/3 người mua đã tham gia")
    expect(page.get_by_test_id("group-price")).to_contain_text("120.000")
    expect(page.get_by_test_id("group-time-left")).to_contain_text("giờ")
    expect(page.get_by_test_id("share-zalo")).to_be_visible()
    assert past_phone_width(page) == []
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-group-01-offer.png"), full_page=True)

    # The farm may not pack an order while its group is open.
    shop.get_by_role("link", name="← HTX Chè Tân Cương").click()
    shop.get_by_role("link", name="Đơn hàng", exact=True).last.click()
    shop.get_by_role("link", name="Cần đóng gói").click()
    waiting = shop.locator("[data-testid^=farm-order-]", has_text="Đang chờ mua chung: 3/3")
    waiting.first.get_by_role("button", name="Đã đóng gói").click()
    expect(shop.get_by_text("chỉ đóng gói khi mua chung thành công")).to_be_visible()

    # The short offer closes first: too few joined, both orders cancelled.
    _run_the_job_after(app, gift_url)
    for _, order_page in short:
        order_page.reload()
        card = order_page.locator("[data-testid^=order-]").first
        expect(card).to_contain_text("Mua chung không đủ người: đơn này đã bị hủy.")
        expect(card).to_contain_text("Đã hủy")
    short[0][1].screenshot(
        path=str(SCREENSHOTS / f"{backend}-group-02-cancelled.png"), full_page=True
    )

    # The tea offer reaches its deadline with 3 of 3: every order goes ahead.
    _run_the_job_after(app, tea_url)
    for _, order_page in buyers:
        order_page.reload()
        card = order_page.locator("[data-testid^=order-]").first
        expect(card).to_contain_text("Mua chung thành công: đơn này được giao theo giá mua chung.")
        expect(card).to_contain_text("120.000")
    buyers[0][1].screenshot(
        path=str(SCREENSHOTS / f"{backend}-group-03-succeeded.png"), full_page=True
    )
    page.goto(tea_url)
    expect(page.get_by_test_id("group-outcome")).to_contain_text("Mua chung thành công")

    # Now the farm packs them.
    shop.reload()
    done = shop.locator("[data-testid^=farm-order-]", has_text="Mua chung thành công")
    done.first.get_by_role("button", name="Đã đóng gói").click()
    expect(shop.get_by_text("Đã cập nhật đơn")).to_be_visible()
    for context, _ in [*buyers, *short]:
        context.close()
    farmer.close()
    visitor.close()
    assert ledger_mismatches_in(app) == []
