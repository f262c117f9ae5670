"""A farmer opens a shop and lists lychee; a buyer finds it by typing without accents."""

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, fill_signup


def _photo(tmp_path) -> str:
    """A phone-sized JPEG of red lychees on green leaves."""
    image = Image.new("RGB", (1600, 1200), (46, 110, 58))
    draw = ImageDraw.Draw(image)
    for n in range(12):
        draw.ellipse((100 + n * 110, 500, 190 + n * 110, 590), fill=(176, 32, 48))
    path = tmp_path / "vai-thieu.jpg"
    image.save(path, format="JPEG")
    return str(path)


def _sign_up_as_seller(page, live_server):
    page.goto(live_server + "/signup")
    page.get_by_label("Bán nông sản của nhà tôi").check()
    fill_signup(page, "Nguyễn Văn Thành", "0977 123 456", "vai-thieu-2026")
    expect(page.get_by_text("Chào mừng Nguyễn Văn Thành")).to_be_visible()


def test_farmer_lists_lychee_and_a_buyer_finds_it(live_server, phone, browser, backend, tmp_path):
    page = phone
    _sign_up_as_seller(page, live_server)

    # Signing up to sell lands on the dashboard, which offers to open the shop.
    expect(page).to_have_url(live_server + "/dashboard")
    page.get_by_role("link", name="Mở gian hàng").click()
    page.get_by_label("Tên nông trại hoặc hợp tác xã").fill("Vườn vải Thành Hà E2E")
    page.get_by_label("Tỉnh hoặc thành phố").select_option(label="TP. Hải Phòng")
    page.get_by_label("Xã hoặc phường").fill("xã Thanh Hà")
    page.get_by_label("Số điện thoại liên hệ").fill("0977 123 456")
    page.get_by_role("button", name="Mở gian hàng").click()
    expect(page.get_by_text("Gian hàng đã mở.")).to_be_visible()
    checklist = page.get_by_test_id("setup-checklist")
    expect(checklist).to_contain_text("Trước khi bán hàng")
    expect(page.get_by_test_id("setup-progress")).to_have_text("Đã xong 0 trên 5 bước")
    page.screenshot_as("farmer-01-shop-open")

    # The checklist's links: a way to be paid, then a way to hand the boxes over.
    checklist.get_by_role("link", name="Thêm tài khoản ngân hàng").click()
    page.get_by_label("Ngân hàng").select_option(index=1)
    page.get_by_label("Số tài khoản").fill("0011 0023 45678")
    page.get_by_label("Tên chủ tài khoản").fill("Nguyễn Văn Thành")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu tài khoản ngân hàng.")).to_be_visible()
    page.get_by_test_id("setup-checklist").get_by_role("link", name="Thiết lập giao hàng").click()
    page.get_by_label("Cho người mua đến nhận hàng tại vườn").check()
    page.get_by_label("Địa chỉ nhận hàng").fill("Thôn Thúy Lâm, xã Thanh Hà")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_text("Đã lưu cài đặt giao hàng.")).to_be_visible()
    page.get_by_role("link", name="← Vườn vải Thành Hà E2E").click()
    # It can sell now: the warning goes, the rest of the checklist stays until done.
    expect(page.get_by_test_id("ready-to-sell")).to_have_count(0)
    expect(page.get_by_test_id("setup-progress")).to_have_text("Đã xong 2 trên 5 bước")

    page.get_by_role("link", name="+ Vùng trồng").click()
    page.get_by_label("Tên vùng trồng").fill("Vườn thôn Thúy Lâm")
    page.get_by_label("Mã số vùng trồng").fill("vn-hpth-0123")
    page.get_by_label("Cây trồng").fill("Vải thiều")
    page.get_by_label("Diện tích (ha)").fill("1,2")
    page.get_by_label("Xã hoặc phường").fill("xã Thanh Hà")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("VN-HPTH-0123")).to_be_visible()

    page.get_by_role("link", name="+ Chứng nhận").click()
    page.get_by_label("Số chứng nhận").fill("VietGAP-TT-21-0457")
    page.get_by_label("Đơn vị cấp").fill("Quacert")
    page.get_by_label("Ngày cấp").fill("2025-03-01")
    page.get_by_label("Ngày hết hạn").fill("2028-02-28")
    page.get_by_role("button", name="Lưu chứng nhận").click()
    expect(page.get_by_text("đang chờ ban điều hành sàn kiểm tra")).to_be_visible()

    page.get_by_role("link", name="+ Sản phẩm mới").click()
    page.get_by_label("Tên sản phẩm").fill("Vải thiều Thanh Hà E2E")
    page.get_by_label("Danh mục").select_option(label="Trái cây tươi")
    page.get_by_label("Vùng trồng").select_option(label="Vườn thôn Thúy Lâm")
    page.get_by_label("Mô tả").fill("Quả to, cùi dày, hạt nhỏ.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text("Đã lưu sản phẩm ở dạng nháp.")).to_be_visible()

    for pack, price in (("2", "180000"), ("5", "420.000")):
        page.get_by_label("Đơn vị", exact=True).select_option(label="Hộp")
        page.get_by_label("Số kg trong một hộp, túi hoặc hũ").fill(pack)
        page.get_by_label("Giá (đồng)").fill(price)
        page.get_by_label("Khối lượng giao hàng (gam)").fill(str(int(pack) * 1150))
        page.get_by_label("Tồn kho").fill("30")
        page.get_by_role("button", name="Thêm quy cách").click()
        expect(page.get_by_text("Đã thêm quy cách.")).to_be_visible()

    page.locator("#photos input[type=file]").set_input_files(_photo(tmp_path))
    page.get_by_role("button", name="Tải ảnh lên").click()
    expect(page.get_by_text("Đã thêm ảnh.")).to_be_visible()
    page.get_by_role("button", name="Đăng bán").click()
    expect(page.get_by_text("Đã đăng bán")).to_be_visible()
    page.screenshot_as("farmer-02-product-published")

    buyer = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN")
    shopper = buyer.new_page()
    shopper.goto(live_server + "/")
    shopper.get_by_label("Tìm nông sản").fill("vai thieu thanh ha e2e")
    shopper.get_by_role("button", name="Tìm").click()
    expect(shopper.get_by_test_id("result-count")).to_have_text("1 sản phẩm")
    shopper.get_by_role("link", name="Vải thiều Thanh Hà E2E").click()
    expect(shopper.locator("h1")).to_have_text("Vải thiều Thanh Hà E2E")
    expect(shopper.get_by_role("cell", name="180.000 ₫")).to_be_visible()
    expect(shopper.get_by_role("cell", name="Hộp 5 kg")).to_be_visible()
    assert shopper.locator(".gallery img").count() == 1
    shopper.screenshot(path=str(SCREENSHOTS / f"{backend}-buyer-found-product.png"), full_page=True)
    buyer.close()
