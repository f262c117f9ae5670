"""Mail headers carry user text safely, and a mail server that is down costs no error page."""

import smtplib

from app.mail import build_message, send_mail


def test_a_line_break_in_a_subject_cannot_add_a_header(app):
    with app.app_context():
        message = build_message(
            "buyer@example.vn", "Đơn NS000123\r\nBcc: victim@example.vn", "Xin chào"
        )
    assert message["Subject"] == "Đơn NS000123 Bcc: victim@example.vn"
    assert message["Bcc"] is None
    assert "\nBcc:" not in message.as_string()


def test_a_mail_server_that_is_down_is_logged_not_raised(app, monkeypatch, caplog):
    class RefusingSMTP:
        def __init__(self, *args, **kwargs):
            raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(smtplib, "SMTP", RefusingSMTP)
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1"}.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.config, "MAIL_USE_SSL", False)
    with app.app_context():
        send_mail("buyer@example.vn", "Đơn NS000123", "Xin chào")
    assert "Mail to buyer@example.vn not sent" in caplog.text
