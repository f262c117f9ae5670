"""Webhook endpoints, the deliveries of events to them, and every attempt at each delivery.

An endpoint belongs to a farm (farm_id set: any of the farm's managers runs it) or to one
operator (farm_id empty: events of the operator's scope). Its signing secret is never
stored: it is derived from SECRET_KEY and the endpoint's random salt (app.webhooks.signing),
shown once when the endpoint is made, and a copy of the database cannot forge a signature.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db


class EventType(enum.StrEnum):
    ORDER_PLACED = "order.placed"
    ORDER_PAID = "order.paid"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_SHIPPED = "order.shipped"
    BATCH_RECALLED = "batch.recalled"
    CERTIFICATE_EXPIRING = "certificate.expiring"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    #: Claimed by a worker for one attempt; a claim older than the lease is taken over.
    SENDING = "sending"
    DELIVERED = "delivered"
    #: The last attempt failed; the next is due at next_attempt_at.
    RETRYING = "retrying"
    #: Every attempt failed: given up (the owner may replay it).
    FAILED = "failed"


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who registered it; for an operator's endpoint, the operator whose scope it follows.
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: The farm whose events it receives; empty for an operator's endpoint.
    farm_id: Mapped[int | None] = mapped_column(
        ForeignKey("farm.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(500))
    #: The event types it wants, comma-separated (EventType values).
    event_types: Mapped[str] = mapped_column(String(200))
    #: Random; with SECRET_KEY it gives the signing secret (never stored itself).
    secret_salt: Mapped[str] = mapped_column(String(64))
    #: The secret's last characters, so the owner can tell which one a listener holds.
    secret_hint: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()

    @property
    def event_type_list(self) -> list[str]:
        return [name for name in self.event_types.split(",") if name]

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_type_list


class WebhookDelivery(db.Model):
    """One event for one endpoint: the exact body sent, and where its delivery stands."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sending', 'delivered', 'retrying', 'failed')",
            name="known_status",
        ),
        # The sweeper's question: which deliveries are due?
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    #: The event's id, the same for every endpoint and every replay: the receiver's
    #: idempotency key (header Nongsan-Event-Id).
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(40))
    #: The JSON body, exactly as it is sent and signed.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The delivery this one replays, when the owner asked for it again.
    replay_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery", order_by="WebhookAttempt.id", cascade="all, delete-orphan"
    )


class WebhookAttempt(db.Model):
    """What one POST of a delivery got: the status code, or why there was none."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(default=0)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_log")


class WebhookOnce(db.Model):
    """Events announced once only (a certificate's "expiring"): the key says it was done."""

    __tablename__ = "webhook_once"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
