"""Messages to people: e-mail, Zalo (ZNS template messages) and SMS, through the outbox.

`queue_message(...)` writes the message in the current transaction and, once that commits,
hands it to the background worker (app.jobs), which sends it through the channel's provider
and retries with backoff. A rolled-back change leaves neither message nor job behind.
"""

from __future__ import annotations

import json

from app.after_commit import after_commit
from app.extensions import db
from app.messaging.models import Channel, MessageStatus, OutboundMessage

__all__ = ["Channel", "MessageStatus", "OutboundMessage", "queue_mail", "queue_message"]

#: SMS longer than this are cut (a brandname SMS is billed per 160-character part; four parts
#: is plenty for a notice and keeps a runaway text from costing a farmer's day of margin).
SMS_MAX_CHARACTERS = 640


def queue_message(
    channel: Channel | str,
    recipient: str,
    body: str,
    *,
    kind: str,
    subject: str = "",
    params: dict[str, str] | None = None,
    user_id: int | None = None,
) -> OutboundMessage:
    """Write a message to the outbox and send it once the transaction commits."""
    channel = Channel(channel)
    body = body.replace("\x00", "")
    if channel == Channel.SMS:
        body = body[:SMS_MAX_CHARACTERS]
    message = OutboundMessage(
        channel=channel.value,
        recipient=recipient,
        kind=kind,
        subject=subject[:255],
        body=body,
        params_json=json.dumps(params or {}, ensure_ascii=False),
        user_id=user_id,
        status=MessageStatus.QUEUED.value,
    )
    db.session.add(message)
    db.session.flush()
    from app.messaging.jobs import deliver_message

    after_commit(deliver_message, message.id)
    return message


def queue_mail(
    to: str, subject: str, body: str, *, kind: str, user_id: int | None = None
) -> OutboundMessage:
    return queue_message(Channel.EMAIL, to, body, kind=kind, subject=subject, user_id=user_id)
