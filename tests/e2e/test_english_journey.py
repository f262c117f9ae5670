"""A buyer who reads English, on a phone: "pomelo" and "lychee" find the farms' produce,
shown by their English names, and the unit reads in English from the product to the cart."""

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, SCREENSHOTS


def test_an_english_reader_finds_pomelo_and_lychee_and_reads_units_in_english(
    browser, demo_shop, backend
):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()

    page.goto(demo_shop)
    page.get_by_label("Search produce").fill("pomelo")
    page.get_by_role("button", name="Search", exact=True).click()
    card = page.get_by_role("heading", name="Thanh Hong pomelo")
    expect(card).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-english-01-search.png"), full_page=True)

    card.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh Hong pomelo")
    expect(page.get_by_test_id("vietnamese-name")).to_have_text("Bưởi Thanh Hồng")
    expect(page.locator(".add-to-cart")).to_contain_text("Piece")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-english-02-product.png"), full_page=True)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("Added to your cart.")).to_be_visible()

    page.goto(f"{demo_shop}/cart")
    farm = page.get_by_test_id("cart-farm")
    expect(farm).to_contain_text("Thanh Hong pomelo")
    expect(farm).to_contain_text("Piece")
    expect(farm).not_to_contain_text("Quả")
    page.screenshot(path=str(SCREENSHOTS / f"{backend}-english-03-cart.png"), full_page=True)

    page.get_by_label("Search produce").fill("lychee")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Thanh Ha lychee")).to_be_visible()
    expect(page.get_by_role("heading", name="Thanh Hong pomelo")).to_have_count(0)
    context.close()
