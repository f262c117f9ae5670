"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise the message goes to the log.

Tests set MAIL_BACKEND="memory" and read app.extensions["mail_outbox"].
Mail goes out after the transaction's commit (the action queues it with app.after_commit): a
mail server that is down is logged, never turned into an error page for a change that has
already been saved.
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


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message. Call it after the commit (app.after_commit)."""
    message = build_message(to, subject, body)
    config = current_app.config
    if config.get("MAIL_BACKEND") == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif config["MAIL_SERVER"]:
        try:
            _send_smtp(message)
        except (smtplib.SMTPException, OSError):
            current_app.logger.exception("Mail to %s not sent", message["To"])
    else:
        current_app.logger.info("Mail (not sent, no MAIL_SERVER):\n%s", message.as_string())


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
