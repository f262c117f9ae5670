"""The outbox: every mail, Zalo and SMS message the marketplace sends, and how it went.

A message is written in the transaction of the change it announces (so it exists exactly when
the change does) and delivered by a background job after the commit. Its row is the truth about
delivery: the job claims it (compare-and-set), and a failure leaves it waiting for a retry with
a growing delay, until it is given up and shown to operators at /admin/outbox.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class Channel(enum.StrEnum):
    EMAIL = "email"
    #: Zalo Notification Service: a template message to a phone number.
    ZALO = "zalo"
    SMS = "sms"


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    #: Claimed by a worker; a claim older than the lease is taken over (the worker died).
    SENDING = "sending"
    SENT = "sent"
    #: The last attempt failed; the next one is due at `next_attempt_at`.
    RETRYING = "retrying"
    #: Given up: a permanent refusal, or every attempt failed. Operators see it.
    FAILED = "failed"


#: Kinds that carry a way into an account (a reset link, a one-time code), besides any kind
#: ending in "_code": operators never read them once sent, and their text is not kept.
SECRET_KINDS = frozenset({"password_reset", "password_code"})
#: What a secret message's text becomes once a real provider has taken it.
REDACTED = "[…]"


def is_secret_kind(kind: str) -> bool:
    return kind in SECRET_KINDS or kind.endswith("_code")


class OutboundMessage(db.Model):
    __tablename__ = "outbound_message"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'zalo', 'sms')", name="known_channel"),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'retrying', 'failed')", name="known_status"
        ),
        # The sweeper's question: which messages are due (and not sent or given up)?
        Index("ix_outbound_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    #: E-mail address, or a mobile number in E.164 form (+84…) for Zalo and SMS.
    recipient: Mapped[str] = mapped_column(String(254))
    #: What the message is about ("order_placed", "password_code", …): Zalo picks its
    #: approved template by it, operators filter by it.
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255), default="")
    #: The full text: the mail's body, the SMS, and what the outbox shows for a Zalo message.
    body: Mapped[str] = mapped_column(Text)
    #: The values a Zalo template is filled with, as JSON.
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    #: When a queued or retrying message is due (a sweeper enqueues overdue ones again).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Which provider took it ("outbox" in development and tests) and its message id.
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboundMessage {self.id} {self.channel} {self.kind} {self.status}>"
