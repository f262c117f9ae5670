"""The farm pages of the dashboard and the operators' pages, through HTTP."""

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from farms.models import Farm
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_certification, make_farm
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

PROFILE = {
    "name": "Vườn vải Thành Hà",
    "kind": "household",
    "province_code": "31",
    "commune": "xã Thanh Hà",
    "contact_phone": "0912 345 678",
    "story": "Ba thế hệ.",
}


@pytest.fixture
def farmer(client):
    make_user(identifier="0912000555", role=Role.BUYER)
    log_in(client, "0912000555")


def test_a_new_seller_opens_a_shop_from_the_dashboard(client, farmer):
    assert "Mở gian hàng" in page_text(client.get("/dashboard"))
    response = client.post_form("/dashboard/farms/new", PROFILE, follow_redirects=True)
    assert "Gian hàng đã mở." in page_text(response)
    farm = db.session.scalar(select(Farm))
    assert (farm.slug, farm.contact_phone) == ("vuon-vai-thanh-ha", "+84912345678")
    assert client.get("/dashboard").headers["Location"] == f"/dashboard/farms/{farm.id}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Vui lòng điền mục này."),
        ({"name": "N" * 10_000}, "Nội dung quá dài."),
        ({"kind": "castle"}, "Vui lòng chọn một trong các lựa chọn."),
        ({"province_code": "99"}, "Vui lòng chọn một trong các lựa chọn."),
        ({"contact_phone": "12"}, "Hãy nhập số di động Việt Nam"),
    ],
)
def test_bad_shop_details_are_explained_and_nothing_opens(client, farmer, changes, message):
    before = database_snapshot()
    response = client.post_form("/dashboard/farms/new", {**PROFILE, **changes})
    assert response.status_code == 422 and message in page_text(response)
    assert database_snapshot() == before  # no farm, and the buyer is still a buyer


def test_changing_the_id_in_the_url_never_reaches_another_farm(client, farmer):
    theirs = make_farm(name="Vườn hàng xóm")
    area_form = {
        "name": "A",
        "code": "",
        "crop": "Vải",
        "area_ha": "1",
        "commune": "x",
        "latitude": "",
        "longitude": "",
    }
    attempts = [
        ("get", f"/dashboard/farms/{theirs.id}", None),
        ("post", f"/dashboard/farms/{theirs.id}/profile", {**PROFILE, "name": "Bị đổi"}),
        ("post", f"/dashboard/farms/{theirs.id}/areas/new", area_form),
        (
            "post",
            f"/dashboard/farms/{theirs.id}/bank",
            {"bank_bin": "970436", "account_number": "123456789", "holder_name": "KE GIAN"},
        ),
        ("get", f"/dashboard/farms/{theirs.id}/stock", None),
    ]
    before = database_snapshot()
    for method, url, data in attempts:
        response = client.get(url) if method == "get" else client.post_form(url, data)
        assert response.status_code == 403, url
    assert database_snapshot() == before


def test_an_unknown_farm_id_is_a_404(client, farmer):
    assert client.get("/dashboard/farms/999999").status_code == 404


def test_the_bank_account_is_shown_only_to_the_farm_and_operators(app, client, farmer):
    client.post_form("/dashboard/farms/new", PROFILE)
    farm = db.session.scalar(select(Farm))
    client.post_form(
        f"/dashboard/farms/{farm.id}/bank",
        {
            "bank_bin": "970436",
            "account_number": "0011002345678",
            "holder_name": "Nguyễn Văn Thành",
        },
    )
    assert "0011002345678" in page_text(client.get(f"/dashboard/farms/{farm.id}/bank"))
    assert "0011002345678" not in client.get(f"/farms/{farm.slug}").get_data(as_text=True)


def test_operators_verify_farms_and_certificates_with_who_and_when(app, client):
    farm = make_farm(name="Vườn cam Sáng")
    certification = make_certification(farm)
    make_user(identifier="admin@example.vn", role=Role.OPERATOR, full_name="Phòng Kinh tế")
    log_in(client, "admin@example.vn")

    assert "Vườn cam Sáng" in page_text(client.get("/admin/farms"))
    client.post_form(f"/admin/farms/{farm.id}/verify")
    client.post_form(f"/admin/certifications/{certification.id}/verify")

    db.session.refresh(farm)
    db.session.refresh(certification)
    assert farm.verified_by.full_name == "Phòng Kinh tế" and farm.verified_at is not None
    assert certification.verified_at is not None
    assert "Phòng Kinh tế" in page_text(client.get("/admin/farms"))


def test_only_operators_reach_the_admin_pages(client, farmer):
    farm = make_farm()
    before = database_snapshot()
    assert client.get("/admin/farms").status_code == 403
    assert client.post_form(f"/admin/farms/{farm.id}/verify").status_code == 403
    assert database_snapshot() == before


def test_suspending_a_farm_takes_its_products_off_the_storefront(app, client):
    product = make_product(name="Vải thiều Thúy Lâm")
    farm = product.farm
    make_user(identifier="admin@example.vn", role=Role.OPERATOR)
    log_in(client, "admin@example.vn")
    visitor = app.test_client()
    assert "Vải thiều Thúy Lâm" in page_text(visitor.get("/products"))

    response = client.post_form(f"/admin/farms/{farm.id}/suspend", {"reason": "Giấy tờ giả"})
    assert response.status_code == 302

    assert "Vải thiều Thúy Lâm" not in page_text(visitor.get("/products"))
    assert visitor.get(f"/products/{product.slug}").status_code == 404
    assert visitor.get(f"/farms/{farm.slug}").status_code == 404
    db.session.refresh(product)
    assert product.status == "published"  # the data stays

    client.post_form(f"/admin/farms/{farm.id}/reinstate")
    assert "Vải thiều Thúy Lâm" in page_text(visitor.get("/products"))


def test_a_suspension_needs_a_reason(client):
    farm = make_farm()
    make_user(identifier="admin@example.vn", role=Role.OPERATOR)
    log_in(client, "admin@example.vn")
    before = database_snapshot()
    response = client.post_form(
        f"/admin/farms/{farm.id}/suspend", {"reason": ""}, follow_redirects=True
    )
    assert "Hãy ghi lý do tạm ngưng." in page_text(response)
    assert database_snapshot() == before  # not suspended


def test_unverified_or_expired_certificates_never_show_as_valid(app, client):
    from datetime import date

    farm = make_farm()
    operator = make_user(role=Role.OPERATOR)
    make_certification(farm, number="CHUA-XAC-MINH")
    make_certification(
        farm,
        number="DA-HET-HAN",
        issued_on=date(2020, 1, 1),
        expires_on=date(2023, 1, 1),
        verified_by=operator,
    )
    make_certification(farm, number="CON-HIEU-LUC", verified_by=operator)

    html = client.get(f"/farms/{farm.slug}").get_data(as_text=True)

    assert "CHUA-XAC-MINH" not in html
    assert 'cert-expired">VietGAP DA-HET-HAN' in html and "hết hạn ngày 01/01/2023" in html
    assert 'cert-valid">VietGAP CON-HIEU-LUC' in html


def test_the_scan_of_a_certificate_is_private(app, client, farmer):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    farm = make_farm()
    certification = make_certification(farm, scan=pdf, scan_filename="vietgap.pdf")
    assert client.get(f"/certifications/{certification.id}/scan").status_code == 403

    owner_client = app.test_client()
    farm.members[0].user.phone = "+84912000777"
    db.session.flush()
    log_in(owner_client, "0912000777")
    response = owner_client.get(f"/certifications/{certification.id}/scan")
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Cache-Control"] == "private, no-store"
