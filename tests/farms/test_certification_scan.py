"""An operator checks a certificate against its scan on the verification page; the scan stays
private to operators and the farm's own people."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.auth.roles import Role
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_certification, make_farm
from tests.support.web import page_text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def operator_client(app):
    client = app.test_client()
    log_in(client, make_user(role=Role.OPERATOR).phone)
    return client


def test_a_photographed_scan_shows_on_the_verification_page(app, operator_client):
    certification = make_certification(make_farm(), scan=_photo(), scan_filename="vietgap.jpg")
    scan_url = f"/certifications/{certification.id}/scan"

    html = operator_client.get("/admin/farms").get_data(as_text=True)

    assert f'<img src="{scan_url}" alt="Bản chụp chứng nhận VietGAP-TT-21-0457"' in html
    image = operator_client.get(scan_url)
    assert image.status_code == 200 and image.mimetype == "image/webp"
    assert image.headers["Cache-Control"] == "private, no-store"
    assert "Content-Disposition" not in image.headers  # shown inline, in the page


def test_a_pdf_scan_is_a_link_that_opens_in_the_reader(app, operator_client):
    certification = make_certification(make_farm(), scan=PDF, scan_filename="vietgap.pdf")
    scan_url = f"/certifications/{certification.id}/scan"

    response = operator_client.get("/admin/farms")

    assert f'href="{scan_url}">Mở bản chụp (PDF)' in response.get_data(as_text=True)
    assert f'<img src="{scan_url}"' not in response.get_data(as_text=True)
    document = operator_client.get(scan_url)
    assert document.data == PDF and document.headers["Cache-Control"] == "private, no-store"
    assert document.headers["Content-Disposition"].startswith("attachment;")


def test_a_certificate_without_a_scan_says_so(app, operator_client):
    make_certification(make_farm())

    assert "Chưa có bản chụp" in page_text(operator_client.get("/admin/farms"))


def test_the_farms_own_people_see_their_scan(app):
    farm = make_farm()
    certification = make_certification(farm, scan=_photo(), scan_filename="scan.png")
    client = app.test_client()
    log_in(client, farm.members[0].user.phone)

    response = client.get(f"/certifications/{certification.id}/scan")

    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["visitor", "buyer", "another farmer"])
def test_nobody_else_sees_a_scan(app, who):
    certification = make_certification(make_farm(), scan=_photo(), scan_filename="scan.png")
    client = app.test_client()
    if who == "buyer":
        log_in(client, make_user().phone)
    elif who == "another farmer":
        log_in(client, make_farm().members[0].user.phone)

    response = client.get(f"/certifications/{certification.id}/scan")

    if who == "visitor":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert not response.data.startswith(b"RIFF")  # no WebP bytes in the answer


def test_the_verification_page_is_for_operators_only(app):
    make_certification(make_farm(), scan=_photo(), scan_filename="scan.png")
    client = app.test_client()
    log_in(client, make_farm().members[0].user.phone)

    assert client.get("/admin/farms").status_code == 403
