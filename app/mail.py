"""Building a mail and handing it to the SMTP server (MAIL_SERVER).

Nothing calls this directly: a mail is queued in the outbox (app.messaging.queue_mail) with the
change it announces, and the background worker sends it through the e-mail provider
(app/messaging/email.py), retrying when the server is down. Tests set MAIL_BACKEND="memory"
and read app.extensions["mail_outbox"].
"""

from __future__ import annotations

import smtplib
import unicodedata
from email.message import EmailMessage

from flask import current_app


def header_text(value: str) -> str:
    """User text fit for one mail header: line breaks and other control characters (which
    would end the header or start a new one) become spaces."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in value)
    return " ".join(text.split())


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = header_text(to)
    message["Subject"] = header_text(subject)
    message.set_content(body.replace("\x00", ""))
    return message


def send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
