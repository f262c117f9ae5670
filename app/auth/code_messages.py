"""The message that carries a one-time code, in the account's language: an SMS, a Zalo
template message (its one parameter is the code) or a mail."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.auth.models import User
from app.auth.one_time_codes import Purpose
from app.messaging import Channel, queue_message

#: The outbox kind of each purpose: Zalo picks its approved template by it.
MESSAGE_KINDS = {
    Purpose.PASSWORD_RESET: "password_code",
    Purpose.VERIFY_PHONE: "phone_code",
    Purpose.VERIFY_EMAIL: "email_code",
}


def _text(purpose: Purpose, code: str) -> str:
    if purpose == Purpose.PASSWORD_RESET:
        return _(
            "Nông Sản Số: %(code)s is your code to choose a new password. It works for 10 "
            "minutes. Do not share it with anyone.",
            code=code,
        )
    if purpose == Purpose.VERIFY_PHONE:
        return _(
            "Nông Sản Số: %(code)s is your code to confirm this phone number. It works for 10 "
            "minutes. Do not share it with anyone.",
            code=code,
        )
    return _(
        "Nông Sản Số: %(code)s is your code to confirm this e-mail address. It works for 10 "
        "minutes. Do not share it with anyone.",
        code=code,
    )


def send_code(user: User, purpose: Purpose, channel: str, destination: str, code: str) -> None:
    """Queue the code's message; it leaves after the commit."""
    with force_locale(user.preferred_language):
        text = _text(purpose, code)
        # The code stays out of the subject: lists of mail (and the outbox) show subjects.
        subject = _("Your Nông Sản Số code") if channel == Channel.EMAIL else ""
        if channel == Channel.EMAIL:
            text = render_template("mail/one_time_code.txt", user=user, text=text)
    queue_message(
        channel,
        destination,
        text,
        kind=MESSAGE_KINDS[purpose],
        subject=subject,
        params={"otp": code} if channel == Channel.ZALO else None,
        user_id=user.id,
    )
