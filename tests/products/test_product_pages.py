"""Product pages, the farm's shop page, and the seller's product pages, through HTTP."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.auth.roles import Role
from app.clock import local_today
from app.extensions import db
from products import services
from products.models import Product
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.products.factories import make_product, make_ready_to_sell, variant_fields
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


def _jpeg(width=1600, height=1200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (176, 32, 48)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_the_product_page_shows_prices_in_dong_the_farm_and_share_previews(client):
    product = make_product(name="Vải thiều Thanh Hà", prices=(180000, 420000))
    html = client.get(f"/products/{product.slug}").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("\xa0", " ")
    assert "180.000 ₫" in text and "420.000 ₫" in text and "Hộp 2 kg" in text
    assert product.farm.name in text
    assert '<meta property="og:title" content="Vải thiều Thanh Hà — ' in html
    assert '<meta property="product:price:amount" content="180000">' in html
    assert "zalo.me/share" in html and "facebook.com/sharer" in html


def test_stars_show_only_when_verified_and_unexpired(app, client):
    product = make_product()
    owner = product.farm.members[0].user
    certificate = services.set_ocop(
        product,
        owner,
        stars="4",
        decision_number="2087/QĐ-UBND",
        decision_date=local_today() - timedelta(days=30),
    )
    assert 'data-testid="ocop-stars"' not in client.get(f"/products/{product.slug}").get_data(
        as_text=True
    )

    services.verify_ocop(certificate, make_user(role=Role.OPERATOR))
    assert "OCOP 4 sao" in page_text(client.get(f"/products/{product.slug}"))

    certificate.expires_on = local_today() - timedelta(days=1)
    db.session.flush()
    assert 'data-testid="ocop-stars"' not in client.get(f"/products/{product.slug}").get_data(
        as_text=True
    )


def test_out_of_season_shows_the_next_season(client):
    product = make_product(season_start="1/1", season_end="1/1")
    text = page_text(client.get(f"/products/{product.slug}"))
    if "Đang vào mùa" not in text:
        assert "Hết mùa" in text and "Mùa tới: 01/01/" in text


def test_drafts_are_not_public_but_their_farm_can_preview_them(app, client):
    product = make_product(publish=False)
    assert client.get(f"/products/{product.slug}").status_code == 404
    owner = product.farm.members[0].user
    owner.phone = "+84912000777"
    db.session.flush()
    log_in(client, "0912000777")
    assert "Xem trước" in page_text(client.get(f"/products/{product.slug}"))


def test_the_farm_page_is_its_shop(client):
    product = make_product(name="Vải thiều Thúy Lâm")
    farm = product.farm
    text = page_text(client.get(f"/farms/{farm.slug}"))
    assert farm.name in text and "Vải thiều Thúy Lâm" in text and "TP. Hải Phòng" in text


def test_the_home_page_shows_what_is_in_season_ocop_and_new_farms(client):
    make_product(name="Cam sành Hà Giang", season_start="1/1", season_end="31/12")
    text = page_text(client.get("/"))
    assert "Đang vào mùa" in text and "Cam sành Hà Giang" in text and "Nông trại mới" in text


@pytest.fixture
def seller(client):
    farm = make_ready_to_sell(make_farm(name="Vườn vải Thành Hà"))
    owner = farm.members[0].user
    owner.phone = "+84912000777"
    db.session.flush()
    log_in(client, "0912000777")
    return farm


NEW_PRODUCT = {
    "name": "Vải thiều Thanh Hà",
    "category": "fresh_fruit",
    "description": "Ngọt.",
    "growing_area_id": "",
    "gtin": "",
    "season_start": "",
    "season_end": "",
    "preorder_ships_on": "",
    "preorder_capacity": "",
}


def test_a_farmer_lists_a_product_with_two_variants_and_a_photo(client, seller):
    response = client.post_form(f"/dashboard/farms/{seller.id}/products/new", NEW_PRODUCT)
    product = db.session.scalar(select(Product))
    assert response.headers["Location"] == f"/dashboard/products/{product.id}"

    assert client.post_form(f"/dashboard/products/{product.id}/publish").status_code == 302
    db.session.refresh(product)
    assert product.status == "draft"  # no variant yet

    for price in ("180000", "420.000"):
        client.post_form(
            f"/dashboard/products/{product.id}/variants", variant_fields(price_vnd=price)
        )
    response = client.post_form(
        f"/dashboard/products/{product.id}/photos",
        {"photo": (io.BytesIO(_jpeg()), "vai.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    client.post_form(f"/dashboard/products/{product.id}/publish")

    db.session.refresh(product)
    assert product.status == "published" and len(product.variants) == 2
    assert product.price_from_vnd == 180000 and len(product.photos) == 1
    photo = client.get(f"/media/{product.photos[0].thumb_key}")
    assert photo.status_code == 200 and photo.mimetype == "image/webp"
    assert "max-age=31536000" in photo.headers["Cache-Control"]
    photo.close()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Vui lòng điền mục này."),
        ({"category": "pets"}, "Vui lòng chọn một"),
        ({"gtin": "8934563138166"}, "Mã GTIN không hợp lệ"),
        ({"season_start": "32/13", "season_end": "1/1"}, "ngày/tháng"),
        ({"preorder_ships_on": "không phải ngày"}, "Hãy ghi ngày theo dạng ngày/tháng/năm"),
        ({"description": "x" * 10_001}, "Nội dung quá dài."),
    ],
)
def test_bad_product_input_is_explained_and_nothing_is_created(client, seller, changes, message):
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/farms/{seller.id}/products/new", {**NEW_PRODUCT, **changes}
    )
    assert response.status_code == 422 and message in page_text(response)
    assert database_snapshot() == before


def test_a_file_that_is_not_a_photo_is_refused_with_a_message(client, seller):
    product = make_product(seller)
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/products/{product.id}/photos",
        {"photo": (io.BytesIO(b"MZ\x90\x00 not an image"), "virus.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "Tệp này không phải là ảnh." in page_text(response)
    assert database_snapshot() == before


def test_bulk_edit_saves_all_rows_or_none(client, seller):
    product = make_product(seller, prices=(180000, 420000))
    first, second = product.variants
    before = database_snapshot()
    response = client.post_form(
        f"/dashboard/farms/{seller.id}/stock",
        {
            f"stock-{first.id}": "10",
            f"price-{first.id}": "190.000",
            f"stock-{second.id}": "-5",
            f"price-{second.id}": "400000",
        },
    )
    assert response.status_code == 422 and "Chưa lưu gì cả" in page_text(response)
    assert database_snapshot() == before  # the good first row was not saved either

    client.post_form(
        f"/dashboard/farms/{seller.id}/stock",
        {
            f"stock-{first.id}": "10",
            f"price-{first.id}": "190.000",
            f"stock-{second.id}": "5",
            f"price-{second.id}": "400000",
        },
    )
    db.session.refresh(first)
    db.session.refresh(second)
    db.session.refresh(product)
    assert (first.stock, first.price_vnd, second.stock) == (10, 190000, 5)
    assert product.price_from_vnd == 190000


def test_another_farmer_cannot_edit_a_product_by_its_id(client, seller):
    theirs = make_product(name="Vải của hàng xóm")
    variant = theirs.variants[0]
    before = database_snapshot()
    assert client.get(f"/dashboard/products/{theirs.id}").status_code == 403
    assert (
        client.post_form(
            f"/dashboard/products/{theirs.id}", {**NEW_PRODUCT, "name": "Bị đổi"}
        ).status_code
        == 403
    )
    assert (
        client.post_form(
            f"/dashboard/variants/{variant.id}", variant_fields(price_vnd="1000")
        ).status_code
        == 403
    )
    assert client.post_form(f"/dashboard/products/{theirs.id}/hide").status_code == 403
    assert database_snapshot() == before
