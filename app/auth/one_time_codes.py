"""Six-digit one-time codes sent by SMS, Zalo or mail: to choose a new password by phone and
to prove that a phone number or an e-mail address is the account's.

A code is stored only as an HMAC keyed with the application's secret (a six-digit code has a
million values: a plain hash would be read back from a copy of the database in a second).
It works for ten minutes, once, and dies after five wrong tries; a new code replaces the
account's earlier one for the same purpose. Codes are created and used with compare-and-set
updates (and one live code per account and purpose is a unique index), so two requests
never both use one code. The rows stay as the history the per-account limits count.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    case,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.errors import DomainError
from app.extensions import db

CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
#: Codes one account (or one phone number or address) may be sent: a short burst, and a day.
CODE_LIMITS = ((3, timedelta(minutes=15)), (10, timedelta(days=1)))


class Purpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    VERIFY_PHONE = "verify_phone"
    VERIFY_EMAIL = "verify_email"


class CodeStatus(enum.StrEnum):
    LIVE = "live"
    USED = "used"
    #: A newer code for the same account and purpose was sent.
    REPLACED = "replaced"
    #: Too many wrong tries.
    DEAD = "dead"


_LIVE = text("status = 'live'")


class OneTimeCode(db.Model):
    __tablename__ = "one_time_code"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('password_reset', 'verify_phone', 'verify_email')", name="known_purpose"
        ),
        CheckConstraint("status IN ('live', 'used', 'replaced', 'dead')", name="known_status"),
        CheckConstraint("wrong_tries >= 0", name="tries_not_negative"),
        # Two requests racing to send a code cannot leave two live ones.
        Index(
            "ix_one_time_code_one_live",
            "user_id",
            "purpose",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        # The limits count recent codes by account and by destination.
        Index("ix_one_time_code_user_sent", "user_id", "created_at"),
        Index("ix_one_time_code_destination_sent", "destination", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    #: Where the code went: the E.164 phone number or the e-mail address it proves.
    destination: Mapped[str] = mapped_column(String(254))
    #: "sms", "zalo" or "email".
    channel: Mapped[str] = mapped_column(String(10))
    #: Random per code, mixed into the HMAC so equal codes never share a hash.
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=CodeStatus.LIVE.value)
    wrong_tries: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TooManyCodes(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _l(
                "Too many codes were sent. Wait 15 minutes (at most 10 codes a day), "
                "then ask again."
            )
        )


class CodeRefused(DomainError):
    """The typed code does not unlock anything; `reason` says why (for tests and logs)."""

    def __init__(self, reason: str, message) -> None:
        super().__init__(message, field="code")
        self.reason = reason


WRONG = _l(
    "This code is not right. Type the code from the latest message; after 5 wrong tries a "
    "code stops working."
)
EXPIRED = _l("This code has expired (a code works for 10 minutes). Ask for a new one.")
USED = _l("This code has already been used. Ask for a new one if you need to.")
REPLACED = _l("A newer code was sent after this one: type the code from the latest message.")
DEAD = _l("This code stopped working after 5 wrong tries. Ask for a new one.")


def _hash(salt: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{salt}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _recent_count(user: User, destination: str, since: datetime) -> int:
    return db.session.scalar(
        select(func.count(OneTimeCode.id)).where(
            or_(OneTimeCode.user_id == user.id, OneTimeCode.destination == destination),
            OneTimeCode.created_at > since,
        )
    )


def issue_code(
    user: User, purpose: Purpose, destination: str, channel: str, now: datetime | None = None
) -> str:
    """A new code for the account (in clear, to be sent once); the earlier live one for this
    purpose is replaced. TooManyCodes when the account or destination had its share."""
    now = now or utcnow()
    # Serialises the account's requests, so that the counts below are exact (PostgreSQL).
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    for limit, period in CODE_LIMITS:
        if _recent_count(user, destination, now - period) >= limit:
            raise TooManyCodes()
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    try:
        with db.session.begin_nested():
            db.session.execute(
                update(OneTimeCode)
                .where(
                    OneTimeCode.user_id == user.id,
                    OneTimeCode.purpose == purpose.value,
                    OneTimeCode.status == CodeStatus.LIVE,
                )
                .values(status=CodeStatus.REPLACED)
                .execution_options(synchronize_session=False)
            )
            db.session.add(
                OneTimeCode(
                    user_id=user.id,
                    purpose=purpose.value,
                    destination=destination,
                    channel=channel,
                    salt=salt,
                    code_hash=_hash(salt, purpose.value, code),
                    created_at=now,
                    expires_at=now + CODE_LIFETIME,
                )
            )
    except IntegrityError as exc:  # another request's code went in first
        raise TooManyCodes() from exc
    return code


def _matching(codes: list[OneTimeCode], typed: str) -> OneTimeCode | None:
    """The code row the typed code was sent as; every row is compared, in constant time."""
    found = None
    for row in codes:
        if hmac.compare_digest(row.code_hash, _hash(row.salt, row.purpose, typed)):
            found = row
    return found


def use_code(
    user: User, purpose: Purpose, typed: str, *, destination: str, now: datetime | None = None
) -> OneTimeCode:
    """Spend the account's live code for this purpose, sent to `destination`, if `typed` is
    it (a code sent to a number the account has since left proves nothing).

    A wrong code counts a try against the live code (the caller commits that even though it
    refuses); a right code that expired, was used, replaced or killed is named as such.
    """
    now = now or utcnow()
    typed = "".join(typed.split())
    recent = list(
        db.session.scalars(
            select(OneTimeCode)
            .where(
                OneTimeCode.user_id == user.id,
                OneTimeCode.purpose == purpose.value,
                OneTimeCode.destination == destination,
                OneTimeCode.created_at > now - timedelta(days=1),
            )
            .order_by(OneTimeCode.id)
        )
    )
    row = _matching(recent, typed)
    if row is None:
        _count_wrong_try(user, purpose)
        raise CodeRefused("wrong", WRONG)
    if row.status == CodeStatus.USED:
        raise CodeRefused("used", USED)
    if row.status == CodeStatus.REPLACED:
        raise CodeRefused("replaced", REPLACED)
    if row.status == CodeStatus.DEAD:
        raise CodeRefused("dead", DEAD)
    if row.expires_at <= now:
        raise CodeRefused("expired", EXPIRED)
    spent = db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == row.id,
            OneTimeCode.status == CodeStatus.LIVE,
            OneTimeCode.wrong_tries < MAX_WRONG_TRIES,
            OneTimeCode.expires_at > now,
        )
        .values(status=CodeStatus.USED, used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:  # another request used it (or killed it) in between
        raise CodeRefused("used", USED)
    db.session.refresh(row)
    return row


def _count_wrong_try(user: User, purpose: Purpose) -> None:
    """One more wrong try on the live code; the fifth kills it."""
    tries = OneTimeCode.wrong_tries + 1
    db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.user_id == user.id,
            OneTimeCode.purpose == purpose.value,
            OneTimeCode.status == CodeStatus.LIVE,
        )
        .values(
            wrong_tries=tries,
            status=case(
                (tries >= MAX_WRONG_TRIES, CodeStatus.DEAD.value), else_=CodeStatus.LIVE.value
            ),
        )
        .execution_options(synchronize_session=False)
    )
