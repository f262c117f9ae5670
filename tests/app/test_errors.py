"""Error pages in the page's language; nothing ends in a bare 500."""

import pytest

from tests.support.web import page_text


@pytest.mark.parametrize(
    ("code", "vietnamese", "english"),
    [
        (400, "Yêu cầu không hợp lệ", "Bad request"),
        (403, "Không được phép", "Not allowed"),
        (404, "Không tìm thấy trang", "Page not found"),
        (429, "Quá nhiều lần thử", "Too many attempts"),
        (500, "Đã xảy ra lỗi", "Something went wrong"),
    ],
)
def test_error_pages_speak_both_languages(app, code, vietnamese, english):
    client = app.test_client()
    response = client.get(f"/_probe/abort/{code}")
    assert response.status_code == code and vietnamese in page_text(response)

    client.post_form("/language", {"lang": "en"})
    response = client.get(f"/_probe/abort/{code}")
    assert response.status_code == code and english in page_text(response)


def test_an_unexpected_exception_shows_the_friendly_500_page(app):
    response = app.test_client().get("/_probe/boom")
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi ngoài ý muốn." in page_text(response)


def test_an_unknown_page_is_a_404_page(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and "Về trang chủ" in page_text(response)


def test_a_wrong_method_is_a_405_page(client):
    assert client.get("/language").status_code == 405


def test_an_oversized_body_is_refused_politely(client):
    response = client.post("/login", data={"identifier": "x" * (17 * 1024 * 1024)})
    assert response.status_code == 413 and "quá lớn" in page_text(response)


def test_pages_load_nothing_from_other_sites(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    html = response.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_served_by_the_application(client):
    response = client.get("/static/css/site.css")
    response.close()
    assert response.status_code == 200 and response.mimetype == "text/css"


@pytest.mark.parametrize(
    "url", ["/T/A%00B", "/products/%00", "/trace/x/%00", "/products?q=vai%00thieu"]
)
def test_a_nul_character_in_an_address_is_refused_not_a_server_error(client, url):
    assert client.get(url).status_code in (400, 404)


def test_a_nul_character_in_a_form_is_a_bad_request(client):
    assert client.post_form("/login", {"identifier": "a\x00b", "password": "x"}).status_code == 400


def test_pages_say_that_their_language_follows_accept_language(client):
    english = client.get("/", headers={"Accept-Language": "en"})

    assert "Accept-Language" in english.headers["Vary"]
