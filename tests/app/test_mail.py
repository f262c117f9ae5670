"""Mail headers carry user text safely."""

from app.mail import build_message


def test_a_line_break_in_a_subject_cannot_add_a_header(app):
    with app.app_context():
        message = build_message(
            "buyer@example.vn", "Đơn NS000123\r\nBcc: victim@example.vn", "Xin chào"
        )
    assert message["Subject"] == "Đơn NS000123 Bcc: victim@example.vn"
    assert message["Bcc"] is None
    assert "\nBcc:" not in message.as_string()
