"""A buyer whose lychee was delivered reviews it on the phone with four stars and a photo;
the review shows on the product page with the farm's answer to come, and the stars on the
product's card in the catalog (360 px, screenshots under test-output/)."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from app.auth.roles import Role
from app.extensions import db
from tests.app.factories import PASSWORD, make_user
from tests.e2e.conftest import SCREENSHOTS, past_phone_width
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.reviews.factories import delivered_line
from tests.products.factories import make_product
from tests.support.ledger import ledger_mismatches_in

BUYER_PHONE = "0912000727"
PRODUCT = "Vải thiều Thanh Hà đánh giá"


def _delivered_lychee(app) -> tuple[str, str]:
    """A farm's lychee delivered to the buyer; its product slug and the order's number."""
    with app.app_context():
        buyer = make_user(Role.BUYER, identifier=BUYER_PHONE, full_name="Phạm Thu Hà")
        farm = deliver_everywhere(make_farm(name="Vườn vải Bác Tư Thanh Hà"))
        product = make_product(farm, name=PRODUCT, prices=(180000,))
        line = delivered_line(product, buyer=buyer, quantity=2)
        db.session.commit()
        return product.slug, line.order.number


def _photo(tmp_path) -> str:
    path = tmp_path / "vai.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 40, 60)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_buyer_reviews_a_delivered_order_with_a_photo_and_the_card_shows_the_stars(
    phone, live_app, backend, tmp_path
):
    app, url = live_app
    slug, number = _delivered_lychee(app)

    # The buyer logs in on the phone and opens the delivered order
    phone.goto(f"{url}/login")
    phone.get_by_label("Số điện thoại hoặc email").fill(BUYER_PHONE)
    phone.get_by_label("Mật khẩu").fill(PASSWORD)
    phone.locator("main").get_by_role("button", name="Đăng nhập").click()
    phone.goto(f"{url}/orders")
    phone.get_by_test_id(f"my-order-{number}").get_by_role("link", name=number).click()
    phone.get_by_role("link", name="Viết đánh giá").click()

    # and writes four stars, a few words and a photo
    expect(phone.get_by_role("heading", name="Viết đánh giá")).to_be_visible()
    phone.get_by_label("4 sao").check()
    phone.get_by_label("Đánh giá của bạn").fill("Quả to, cùi dày, ngọt thanh. Giao nhanh!")
    phone.get_by_label("Ảnh (tối đa 3)").set_input_files(_photo(tmp_path))
    phone.screenshot_as("reviews-01-write")
    assert past_phone_width(phone) == []
    phone.get_by_role("button", name="Đăng đánh giá").click()
    expect(phone.get_by_text("Cảm ơn bạn! Đánh giá đã được đăng.")).to_be_visible()
    expect(phone.get_by_role("link", name="Sửa đánh giá")).to_be_visible()

    # The product page shows it, with the photo and the average
    phone.goto(f"{url}/products/{slug}")
    review = phone.get_by_test_id("product-review")
    expect(review).to_contain_text("Quả to, cùi dày, ngọt thanh.")
    expect(review).to_contain_text("Đã mua hàng")
    expect(review.locator("img")).to_have_count(1)
    expect(review.locator("img")).to_have_js_property("complete", True)
    assert review.locator("img").evaluate("img => img.naturalWidth") > 0
    expect(phone.get_by_test_id("product-rating")).to_contain_text("4 trên 5 sao, 1 đánh giá")
    assert past_phone_width(phone) == []
    phone.screenshot_as("reviews-02-product-page")

    # and the catalog's card shows the stars, with a sentence for screen readers
    phone.goto(f"{url}/products?q=danh gia")
    card = phone.locator("article.product-card").filter(has_text=PRODUCT)
    expect(card.get_by_test_id("card-rating")).to_contain_text("4 trên 5 sao, 1 đánh giá")
    expect(card.get_by_test_id("card-rating")).to_contain_text("★★★★☆")
    assert past_phone_width(phone) == []
    card.screenshot(path=str(SCREENSHOTS / f"{backend}-reviews-03-card.png"))
    phone.screenshot_as("reviews-04-catalog")
    assert ledger_mismatches_in(app) == []
