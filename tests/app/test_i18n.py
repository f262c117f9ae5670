"""Vietnamese first, English complete; đồng and Hà Nội time."""

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from app.i18n import format_local_datetime, format_vnd
from tests.app.factories import log_in, make_user
from tests.support.web import page_text

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _messages_in_source() -> set[str]:
    found = set()
    method_map = [
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2"),
        ("**/templates/**.txt", "jinja2"),
    ]
    for package in ("app", "farms", "products", "orders", "traceability"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map, keywords=KEYWORDS
        ):
            found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def test_every_message_has_a_vietnamese_translation():
    with open(ROOT / "app/translations/vi/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(strings) and "fuzzy" not in message.flags:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            translated.update(ids)
    missing = sorted(_messages_in_source() - translated)
    assert missing == [], (
        "untranslated (run `make extract-messages`, then translate):\n" + "\n".join(missing)
    )


def test_prices_are_vietnamese_dong(app):
    with app.test_request_context(), force_locale("vi"):
        assert format_vnd(125000).replace("\xa0", " ") == "125.000 ₫"
        assert format_vnd(0).replace("\xa0", " ") == "0 ₫"


def test_times_stored_in_utc_are_shown_in_ho_chi_minh_city(app):
    evening_utc = datetime(2026, 6, 1, 17, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("vi"):
        assert format_local_datetime(evening_utc, "dd/MM/yyyy HH:mm") == "02/06/2026 00:30"


def test_pages_are_vietnamese_by_default(client):
    response = client.get("/login")
    assert '<html lang="vi">' in response.get_data(as_text=True)
    assert "Đăng nhập" in page_text(response)


def test_accept_language_is_the_fallback(client):
    response = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Remember me on this device" in page_text(response)


def test_switching_language_is_kept_in_a_cookie(client):
    response = client.post_form("/language", {"lang": "en", "next": "/signup"})
    assert response.status_code == 302 and response.headers["Location"] == "/signup"
    assert "Create your account" in page_text(client.get("/signup"))

    client.post_form("/language", {"lang": "vi", "next": "/signup"})
    assert "Tạo tài khoản của bạn" in page_text(client.get("/signup"))


def test_a_signed_in_users_choice_follows_them_to_a_new_device(app, client):
    make_user(identifier="0912000777", language="vi")
    log_in(client, "0912000777")
    client.post_form("/language", {"lang": "en"})

    other_device = app.test_client()
    log_in(other_device, "0912000777")
    assert "Your profile" in page_text(other_device.get("/profile"))


def test_an_unknown_language_code_is_refused_with_a_message(client):
    response = client.post_form(
        "/language", {"lang": "xx", "next": "/login"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Ngôn ngữ không được hỗ trợ." in page_text(response)
    assert "lang=xx" not in response.headers.get("Set-Cookie", "")


def test_the_language_switch_never_redirects_off_site(client):
    response = client.post_form("/language", {"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
