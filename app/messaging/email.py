"""E-mail through SMTP (MAIL_SERVER), or into a list in memory for tests (MAIL_BACKEND=memory)."""

from __future__ import annotations

import smtplib

from flask import current_app

from app.mail import build_message, send_smtp
from app.messaging.models import OutboundMessage
from app.messaging.providers import DeliveryError

#: SMTP answers that no retry will change (mailbox does not exist, address refused).
_PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


class EmailProvider:
    name = "smtp"

    def send(self, message: OutboundMessage) -> str | None:
        mail = build_message(message.recipient, message.subject, message.body)
        if current_app.config.get("MAIL_BACKEND") == "memory":
            current_app.extensions.setdefault("mail_outbox", []).append(mail)
            return None
        try:
            send_smtp(mail)
        except _PERMANENT as error:
            raise DeliveryError(f"SMTP refused: {error}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP: {error}") from error
        return None
