"""What operators read and do at /admin/outbox: the outbox filtered and paged, the messages
that need a look, secret bodies kept hidden, and "try again" on a message that failed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.after_commit import after_commit
from app.auth.identifiers import InvalidIdentifier, normalize_phone
from app.auth.models import User
from app.auth.operator_scope import ensure_country_wide
from app.errors import DomainError, get_or_not_found
from app.extensions import db
from app.messaging.delivery import retry_now
from app.messaging.jobs import deliver_message
from app.messaging.models import Channel, MessageStatus, OutboundMessage, is_secret_kind
from app.messaging.providers import providers_for
from app.paging import Page, paginate
from app.validation import read_whole_number

#: Messages on one page of the outbox.
PER_PAGE = 30
#: Statuses an operator should look at: given up, or failing and waiting for another try.
NEEDS_ATTENTION = (MessageStatus.FAILED, MessageStatus.RETRYING)
_KIND = re.compile(r"[a-z0-9_]{1,40}")

CHANNEL_LABELS = {
    Channel.EMAIL: _l("E-mail"),
    # Names of services, the same in every language.
    Channel.ZALO: "Zalo",
    Channel.SMS: "SMS",
}
STATUS_LABELS = {
    MessageStatus.QUEUED: _l("Queued"),
    MessageStatus.SENDING: _l("Sending"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.RETRYING: _l("Waiting to retry"),
    MessageStatus.FAILED: _l("Failed"),
}


def body_is_visible(message: OutboundMessage) -> bool:
    """An operator reads a secret message only when it never left the machine (the outbox
    provider of development); otherwise the code or link would let them take the account.
    In production it stays hidden even there: a channel left without credentials must not
    turn the outbox into a way into people's accounts."""
    if not is_secret_kind(message.kind):
        return True
    if current_app.config.get("NONGSAN_ENV") == "production":
        return False
    provider = message.provider or providers_for(current_app.config)[message.channel].name
    return provider == "outbox"


@dataclass
class OutboxFilters:
    channel: str | None = None
    status: str | None = None
    kind: str | None = None
    recipient: str = ""
    page: int | None = None
    #: What was wrong in the address and ignored, said to the operator.
    problems: list[str] = field(default_factory=list)

    def arguments(self) -> dict[str, str]:
        """The filters as query arguments, for page and filter links."""
        chosen = {
            "channel": self.channel,
            "status": self.status,
            "kind": self.kind,
            "recipient": self.recipient,
        }
        return {name: value for name, value in chosen.items() if value}


def read_filters(args: Mapping[str, str]) -> OutboxFilters:
    """The list's filters from the address; a value that names nothing is ignored and said."""
    filters = OutboxFilters()
    channel = args.get("channel") or ""
    if channel in set(Channel):
        filters.channel = channel
    elif channel:
        filters.problems.append(_("There is no channel “%(value)s”; all are shown.", value=channel))
    status = args.get("status") or ""
    if status in set(MessageStatus):
        filters.status = status
    elif status:
        filters.problems.append(_("There is no status “%(value)s”; all are shown.", value=status))
    kind = (args.get("kind") or "").strip()
    if _KIND.fullmatch(kind):
        filters.kind = kind
    elif kind:
        filters.problems.append(_("A kind is a short word such as order_placed; it was ignored."))
    filters.recipient = " ".join((args.get("recipient") or "").split())[:254]
    raw_page = args.get("page")
    if raw_page:
        filters.page = read_whole_number(raw_page)
        if filters.page is None:
            filters.problems.append(
                _("%(what)s must be a whole number; it was ignored.", what=_("The page"))
            )
    return filters


def _recipient_condition(text: str):
    """Part of an address or number; a phone typed as people write it also finds its +84 form."""
    try:
        text = normalize_phone(text)
    except InvalidIdentifier:
        pass
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(OutboundMessage.recipient).like(f"%{escaped}%", escape="\\")


def outbox_page(filters: OutboxFilters, actor: User) -> Page[OutboundMessage]:
    """The messages that pass the filters, newest first, one page of them. The outbox holds
    every province's messages and account codes: country-wide operators only."""
    ensure_country_wide(actor)
    statement = select(OutboundMessage).order_by(
        OutboundMessage.created_at.desc(), OutboundMessage.id.desc()
    )
    if filters.channel:
        statement = statement.where(OutboundMessage.channel == filters.channel)
    if filters.status:
        statement = statement.where(OutboundMessage.status == filters.status)
    if filters.kind:
        statement = statement.where(OutboundMessage.kind == filters.kind)
    if filters.recipient:
        statement = statement.where(_recipient_condition(filters.recipient))
    return paginate(statement, filters.page, PER_PAGE)


def attention_counts() -> dict[str, int]:
    """How many messages have failed and how many wait for a retry, in one statement."""
    rows = db.session.execute(
        select(OutboundMessage.status, func.count())
        .where(OutboundMessage.status.in_(NEEDS_ATTENTION))
        .group_by(OutboundMessage.status)
    ).all()
    counts = {status.value: 0 for status in NEEDS_ATTENTION}
    counts.update({status: count for status, count in rows})
    return counts


def failed_message_count() -> int:
    """The number operators' admin pages show beside "Outbox" (a template global)."""
    return db.session.scalar(
        select(func.count()).where(OutboundMessage.status == MessageStatus.FAILED)
    )


def known_kinds() -> list[str]:
    """The kinds the outbox holds, for the kind filter."""
    return list(
        db.session.scalars(select(OutboundMessage.kind).distinct().order_by(OutboundMessage.kind))
    )


def message_for(message_id: int, actor: User) -> OutboundMessage:
    """One message of the outbox, for a country-wide operator."""
    ensure_country_wide(actor)
    return get_or_not_found(OutboundMessage, message_id)


def retry_message(message: OutboundMessage, actor: User) -> None:
    """An operator's "try again": due at once with new attempts, delivered after the commit.
    A message being sent or already sent is refused and left as it is."""
    ensure_country_wide(actor)
    if not retry_now(message):
        raise DomainError(_l("This message is being sent or was sent: there is nothing to retry."))
    after_commit(deliver_message, message.id)
