"""Browser journeys: the real application served on localhost, driven by Debian's Chromium
through Playwright (never a downloaded browser), on a phone-sized screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.geo import all_provinces, commune_for_name
from tests.conftest import make_test_app
from tests.support.database import upgrade_schema
from tests.support.live import serving
from tests.support.requirements import missing

CHROMIUM = "/usr/bin/chromium"
# axe-core from the npm lock in browser-checks/ (make test runs `npm ci` there).
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "browser-checks/node_modules/axe-core/axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PHONE = {"width": 360, "height": 780}
# Flags that keep Chromium off the network and quiet in a sandbox without a display.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
]


@pytest.fixture(scope="session")
def live_app(backend, database_factory, tmp_path_factory):
    """The application on a free localhost port, with its own committed database."""
    url = database_factory(backend, "nongsan_e2e")
    app = make_test_app(url, str(tmp_path_factory.mktemp("e2e-instance")), MAIL_BACKEND="memory")
    upgrade_schema(app)
    with serving(app) as url:
        yield app, url


@pytest.fixture(scope="session")
def live_server(live_app):
    return live_app[1]


@pytest.fixture(scope="session")
def demo_shop(live_app):
    """The demo marketplace (farms that deliver and have bank accounts) in the live database."""
    from demo.seed import seed_demo

    app, url = live_app
    with app.app_context():
        seed_demo()
        db.session.commit()
    return url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        missing("Chromium", "install Debian's browser with `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright", "install the test extras with `pip install -e .[test]`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    """axe(page) -> the page's accessibility violations, as axe-core reports them.

    The script is read from the local npm copy (no network) and evaluated through the
    DevTools protocol, which the page's CSP does not govern: the page is checked under the
    very policy visitors get (a style the policy blocks would be missing here too)."""
    if not AXE_SCRIPT.exists():
        missing("axe-core", "run `make test`, or `npm ci --prefix browser-checks` (needs npm)")
    script = AXE_SCRIPT.read_text(encoding="utf-8")

    def violations(page) -> list[dict]:
        page.evaluate(script)
        return page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )

    return violations


@pytest.fixture
def phone(browser, backend):
    """A fresh phone-sized browser tab; screenshot(name) saves a PNG under test-output/."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def screenshot(name: str) -> Path:
        path = SCREENSHOTS / f"{backend}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    page.screenshot_as = screenshot
    yield page
    context.close()


def past_phone_width(page) -> list[str]:
    """What sticks out of a 360-px phone screen, named for a failure's message."""
    return page.evaluate(
        "[...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > 360)"
        ".slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )


def fill_signup(page, full_name: str, identifier: str, password: str, confirm: str | None = None):
    """Fill the sign-up form as a person would (labels in Vietnamese) and send it."""
    page.get_by_label("Họ và tên").fill(full_name)
    page.get_by_label("Số điện thoại hoặc email").fill(identifier)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_label("Nhập lại mật khẩu").fill(confirm if confirm is not None else password)
    page.get_by_role("button", name="Đăng ký").click()


def fill_checkout(
    page, *, name: str, phone: str, province: str, commune: str, street: str, payment: str
) -> None:
    """From the cart: fill in the checkout as a buyer would, review, and place the order.

    `commune` is written as people write it ("phường Hoàn Kiếm") and chosen from the list.
    """
    page.get_by_role("link", name="Tiến hành đặt hàng").click()
    # The address script must be listening before the province changes (a slow machine
    # could otherwise change it before the script runs, and no list of communes would come).
    page.wait_for_load_state("load")
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Số di động").fill(phone)
    # A new province reloads the page with its communes (the script presses "show" for us).
    page.get_by_label("Tỉnh hoặc thành phố").select_option(label=province)
    code = next(p.code for p in all_provinces() if p.display_name == province)
    wanted = commune_for_name(code, commune).code
    communes = page.get_by_label("Xã hoặc phường")
    expect(communes.locator(f'option[value="{wanted}"]')).to_be_attached()
    page.wait_for_load_state("load")
    communes.select_option(wanted)
    page.get_by_label("Số nhà, đường, thôn/ấp").fill(street)
    page.get_by_label(payment).check()
    page.get_by_role("button", name="Xem lại đơn hàng").click()
    expect(page.get_by_test_id("review")).to_be_visible()
    page.get_by_role("button", name="Đặt hàng").click()


def pack_and_ship(page, number: str, *, carrier: str, tracking: str, screenshot: Path) -> None:
    """On the farm's order list: pack order `number`, then ship it with `carrier` (the label
    in the list) and `tracking`, as a farmer would on the phone."""
    page.get_by_test_id(f"farm-order-{number}").get_by_role("button", name="Đã đóng gói").click()
    page.get_by_role("link", name="Cần giao").click()
    card = page.get_by_test_id(f"farm-order-{number}")
    card.get_by_label("Đơn vị vận chuyển", exact=True).select_option(label=carrier)
    card.get_by_label("Mã vận đơn").fill(tracking)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot), full_page=True)
    card.get_by_role("button", name="Giao cho đơn vị vận chuyển").click()
    expect(page.get_by_text("Đã cập nhật đơn")).to_be_visible()
