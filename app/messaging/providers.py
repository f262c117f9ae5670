"""One small interface for every channel: `provider.send(message) -> provider's message id`.

A provider raises DeliveryError when the message did not go: `permanent` when trying again
cannot help (an address that does not exist, a template not approved), otherwise the job
retries later. Which provider serves a channel is configuration (`providers_for(config)`):
without credentials, every channel goes to the outbox, which keeps the message for operators
to read at /admin/outbox and sends nothing (development and tests).
"""

from __future__ import annotations

from typing import Protocol

from app.messaging.models import Channel, OutboundMessage


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Provider(Protocol):
    #: Recorded on the message: "outbox", "smtp", "zalo-zns", "esms".
    name: str

    def send(self, message: OutboundMessage) -> str | None: ...


class OutboxProvider:
    """Keeps the message in the outbox only: nothing leaves the machine."""

    name = "outbox"

    def send(self, message: OutboundMessage) -> str | None:
        return None


def providers_for(config) -> dict[str, Provider]:
    """The provider of each channel, from the configuration."""
    from app.messaging.email import EmailProvider
    from app.messaging.sms import EsmsProvider
    from app.messaging.zalo import ZaloZnsProvider

    outbox = OutboxProvider()
    providers: dict[str, Provider] = {channel.value: outbox for channel in Channel}
    if config.get("MAIL_BACKEND") == "memory" or config.get("MAIL_SERVER"):
        providers[Channel.EMAIL] = EmailProvider()
    if config.get("ZALO_ZNS_ACCESS_TOKEN"):
        providers[Channel.ZALO] = ZaloZnsProvider.from_config(config)
    if config.get("ESMS_API_KEY"):
        providers[Channel.SMS] = EsmsProvider.from_config(config)
    return providers
