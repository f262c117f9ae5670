"""Who is reached on which channel: each person's choice, kept reachable whatever they chose.

A person picks channels in their profile (e-mail, Zalo, SMS) and is reached only where they
have an address: e-mail at their e-mail address, Zalo and SMS at their mobile number. Until
they choose, or when nothing they chose can reach them any more (an address removed), the
defaults apply: e-mail when there is an address, Zalo when there is a phone. So a phone-only
farmer hears of orders by Zalo without ever opening the profile. A guest (no account) is
reached at the checkout's e-mail address, else by Zalo at its phone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.messaging.models import Channel

#: The order channels are shown and stored in.
CHANNELS = (Channel.EMAIL, Channel.ZALO, Channel.SMS)


@dataclass(frozen=True)
class Recipient:
    """One address to send one message to, and the language to write it in."""

    channel: Channel
    address: str
    language: str
    user_id: int | None = None


def available_channels(email: str | None, phone: str | None) -> list[Channel]:
    """The channels there is an address for."""
    return [
        channel
        for channel in CHANNELS
        if (email if channel == Channel.EMAIL else phone)  # Zalo and SMS reach a phone
    ]


def default_channels(email: str | None, phone: str | None) -> list[Channel]:
    return [c for c in available_channels(email, phone) if c != Channel.SMS]


def stored_channels(user: User) -> list[Channel] | None:
    """What the person chose, or None while they have not chosen."""
    if user.message_channels is None:
        return None
    names = set(user.message_channels.split(","))
    return [channel for channel in CHANNELS if channel.value in names]


def chosen_channels(user: User, *, email: str | None = None) -> list[Channel]:
    """The channels a message to `user` goes out on. `email` is the address for this message
    when it is not the account's (the e-mail a buyer gave at checkout)."""
    email = email or user.email
    available = available_channels(email, user.phone)
    chosen = [c for c in stored_channels(user) or [] if c in available]
    return chosen or default_channels(email, user.phone)


def user_recipients(user: User, *, email: str | None = None) -> list[Recipient]:
    """One recipient per chosen channel, in the person's language."""
    email = email or user.email
    return [
        Recipient(
            channel,
            email if channel == Channel.EMAIL else user.phone,
            user.preferred_language,
            user.id,
        )
        for channel in chosen_channels(user, email=email)
    ]


def guest_recipients(email: str | None, phone: str | None, language: str) -> list[Recipient]:
    """Someone without an account: their e-mail, else Zalo at their phone."""
    if email:
        return [Recipient(Channel.EMAIL, email, language)]
    if phone:
        return [Recipient(Channel.ZALO, phone, language)]
    return []


_NO_ADDRESS = {
    Channel.EMAIL: _l("Add your e-mail address above before choosing messages by e-mail."),
    Channel.ZALO: _l("Add your mobile number above before choosing messages by Zalo."),
    Channel.SMS: _l("Add your mobile number above before choosing messages by SMS."),
}


def choose_channels(actor: User, user: User, channels: Iterable[str]) -> None:
    """Keep the channels `user` chose; refused (nothing saved) when one has no address or
    none is chosen. Only the person themself chooses."""
    if actor.id != user.id:
        raise PermissionDenied()
    try:
        wanted = {Channel(name) for name in channels}
    except ValueError as exc:
        raise DomainError(_l("Choose among e-mail, Zalo and SMS."), field="channels") from exc
    if not wanted:
        raise DomainError(
            _l("Choose at least one way to reach you, so that you never miss an order."),
            field="channels",
        )
    available = available_channels(user.email, user.phone)
    for channel in CHANNELS:
        if channel in wanted and channel not in available:
            raise DomainError(_NO_ADDRESS[channel], field="channels")
    user.message_channels = ",".join(c.value for c in CHANNELS if c in wanted)
    db.session.flush()


def every_channel(
    email: str | None, phone: str | None, language: str, user_id: int | None = None
) -> list[Recipient]:
    """Every address there is, whatever was chosen: for what a person must not miss (a
    recall of food they received)."""
    return [
        Recipient(channel, email if channel == Channel.EMAIL else phone, language, user_id)
        for channel in available_channels(email, phone)
    ]
