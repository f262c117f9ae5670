"""A notice to people on their channels: a mail, or a short text for Zalo and SMS.

The caller says what to tell (a function that writes the notice in the current locale) and to
whom (app.messaging.recipients); each recipient gets it in their language on their channel:
the mail's subject and body by e-mail, the short text by SMS, the short text and the
template's named values by Zalo.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import force_locale

from app.messaging import queue_message
from app.messaging.models import Channel, OutboundMessage
from app.messaging.recipients import Recipient

#: A Unicode SMS (Vietnamese with its diacritics) of two parts: 67 characters each once the
#: parts carry the header that joins them. A notice's short text stays within it.
SHORT_TEXT_LIMIT = 134
#: Control characters, line breaks and runs of spaces: a name typed with a line break must
#: not start a line of its own in an SMS or a mail's subject.
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    #: The mail's body (plain text).
    mail_body: str
    #: What SMS sends and what operators read for Zalo: SHORT_TEXT_LIMIT characters at most.
    text: str
    #: The named values of the kind's Zalo template.
    params: dict[str, str] = field(default_factory=dict)


def one_line(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    text = _BREAKS.sub(" ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def short_text(text: str, link: str = "") -> str:
    """The short text, followed by the link when both fit in two SMS parts."""
    text = one_line(text, SHORT_TEXT_LIMIT)
    with_link = f"{text} {link}"
    return with_link if link and len(with_link) <= SHORT_TEXT_LIMIT else text


def queue_notice(recipient: Recipient, notice: Notice) -> OutboundMessage:
    if recipient.channel == Channel.EMAIL:
        body = notice.mail_body
    else:
        body = notice.text
    return queue_message(
        recipient.channel,
        recipient.address,
        body,
        kind=notice.kind,
        subject=one_line(notice.subject, 255),
        params=notice.params if recipient.channel == Channel.ZALO else None,
        user_id=recipient.user_id,
    )


def queue_notices(recipients: Iterable[Recipient], write: Callable[[], Notice]) -> int:
    """Queue the notice for each recipient, written once per language; how many were queued."""
    written: dict[str, Notice] = {}
    count = 0
    for recipient in recipients:
        if recipient.language not in written:
            with force_locale(recipient.language):
                written[recipient.language] = write()
        queue_notice(recipient, written[recipient.language])
        count += 1
    return count
