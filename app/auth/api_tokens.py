"""Personal access tokens and per-farm API keys: how a program signs in to /api/v1.

The secret is shown once, when it is made; only its SHA-256 is stored (a 256-bit random
secret needs no slow hash: nobody can guess one to test against the digest). A token acts as
the person who made it, limited to its scopes and, for a farm key, to that one farm, and
only while it is neither revoked nor expired and the account is active.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.api_scopes import FARM_SCOPES, SCOPES
from app.auth.models import User
from app.auth.roles import Role, has_role
from app.db import UTCDateTime, utcnow
from app.errors import DomainError, NotFound
from app.extensions import db

#: Every secret starts with this, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "nss_"
#: The longest a token may live; the profile offers shorter choices.
MAX_LIFETIME = timedelta(days=366)
#: The lifetimes the profile and POST /api/v1/tokens offer, in days.
LIFETIME_CHOICES = (30, 90, 365)
#: The scopes a buyer's token holds: every account can buy.
BUYER_SCOPES = frozenset({"purchases:read"})
#: The operators' scopes.
OPERATOR_SCOPES = frozenset(name for name in SCOPES if name.startswith("operator:"))
#: last_used_at is written at most this often, so reading the API is not a write per call.
LAST_USED_PRECISION = timedelta(minutes=5)


class ApiToken(db.Model):
    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who made the token; the API acts as this person.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: A per-farm key: the one farm it reaches. NULL for a personal access token.
    farm_id: Mapped[int | None] = mapped_column(
        ForeignKey("farm.id", ondelete="CASCADE"), index=True
    )
    #: The owner's name for it ("Kế toán HTX", "Cổng tỉnh").
    name: Mapped[str] = mapped_column(String(80))
    #: The first characters of the secret, shown in lists so the owner can tell keys apart.
    hint: Mapped[str] = mapped_column(String(12))
    #: Hex SHA-256 of the whole secret.
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: Space-separated scope names (app.auth.api_scopes).
    scopes: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class ApiCredential:
    """Who is calling and what they may do, for the length of one API request."""

    token_id: int
    user: User
    scopes: frozenset[str]
    #: Set for a per-farm key: only this farm's data is reachable.
    farm_id: int | None
    #: When the token was last recorded as used (record_use), at LAST_USED_PRECISION.
    last_used_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    owner: User,
    *,
    name: str,
    scopes: set[str] | frozenset[str],
    expires_at: datetime,
    farm_id: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a token and return it with its secret, which is never shown again.

    A farm key (farm_id) takes farm scopes only; the caller has checked that `owner` manages
    the farm (farms.api_keys does).
    """
    now = now or utcnow()
    name = name.strip()
    if not name or len(name) > 80:
        raise DomainError(_l("Give the token a name of 1 to 80 characters."), field="name")
    if not scopes or not set(scopes) <= set(SCOPES):
        raise DomainError(_l("Choose at least one permission from the list."), field="scopes")
    if farm_id is not None and not set(scopes) <= FARM_SCOPES:
        raise DomainError(_l("A farm key can only hold the farm's permissions."), field="scopes")
    if not now < expires_at <= now + MAX_LIFETIME:
        raise DomainError(_l("A token must expire within a year."), field="expires_at")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id,
        farm_id=farm_id,
        name=name,
        hint=secret[: len(TOKEN_PREFIX) + 4],
        secret_sha256=_digest(secret),
        scopes=" ".join(sorted(scopes)),
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def scopes_for(person: User) -> frozenset[str]:
    """The scopes a personal token of this account may hold: a buyer's for everyone, the
    farm's for those who run farms (and operators), the operators' for operators."""
    allowed = set(BUYER_SCOPES)
    if has_role(person, Role.FARMER):
        allowed |= FARM_SCOPES
    if has_role(person, Role.OPERATOR):
        allowed |= OPERATOR_SCOPES
    return frozenset(allowed)


def create_personal_token(
    owner: User,
    *,
    name: str,
    scopes: set[str] | frozenset[str],
    lifetime_days: int,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A personal access token, limited to the scopes the owner's account may use."""
    now = now or utcnow()
    if lifetime_days not in LIFETIME_CHOICES:
        raise DomainError(
            _l("Choose how long the token lives: 30, 90 or 365 days."), "expires_in_days"
        )
    if not set(scopes) <= scopes_for(owner):
        raise DomainError(_l("Your account cannot give a token these permissions."), "scopes")
    return create_token(
        owner,
        name=name,
        scopes=scopes,
        expires_at=now + timedelta(days=lifetime_days),
        now=now,
    )


def authenticate(secret: str, now: datetime | None = None) -> ApiCredential | None:
    """The credential a secret stands for, or None when it is unknown, revoked or expired, or
    its owner's account is switched off."""
    now = now or utcnow()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.secret_sha256 == _digest(secret)))
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.farm_id is not None and token.user.role == Role.OPERATOR.value:
        return None  # farms.api_keys never makes one: a farm's key carries no operator powers
    return ApiCredential(
        token.id, token.user, token.scope_set, token.farm_id, last_used_at=token.last_used_at
    )


def record_use(credential: ApiCredential, now: datetime | None = None) -> bool:
    """Note that the token served a call, at most once per LAST_USED_PRECISION (so reading
    the API is not a write per call). Called once the call succeeded: a refused one changes
    nothing. True when a row was written; the caller commits."""
    now = now or utcnow()
    if credential.last_used_at is not None and credential.last_used_at >= now - LAST_USED_PRECISION:
        return False
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_PRECISION)
    written = db.session.execute(
        update(ApiToken).where(ApiToken.id == credential.token_id, stale).values(last_used_at=now)
    )
    return written.rowcount == 1


def tokens_of(owner: User) -> list[ApiToken]:
    """The person's tokens and farm keys, newest first, revoked ones included."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
        )
    )


def personal_tokens_of(owner: User) -> list[ApiToken]:
    """The person's own tokens (not the farm keys they made), newest first."""
    return [token for token in tokens_of(owner) if token.farm_id is None]


def keys_of_farm(farm_id: int) -> list[ApiToken]:
    """A farm's keys, whoever made them, newest first; the caller checked who is asking."""
    statement = select(ApiToken).where(ApiToken.farm_id == farm_id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(statement))


def _revoke(token: ApiToken, now: datetime | None) -> ApiToken:
    """Compare-and-set: a token already revoked keeps the time it was first revoked."""
    if token.revoked_at is None:
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now or utcnow())
        )
        db.session.refresh(token)
    return token


def revoke_token(owner: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """Stop a token at once. Only its owner revokes it; someone else's is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != owner.id:
        raise NotFound(f"ApiToken {token_id}")
    return _revoke(token, now)


def revoke_farm_key(farm_id: int, token_id: int, now: datetime | None = None) -> ApiToken:
    """Stop one of a farm's keys, whoever made it; the caller checked that the actor manages
    the farm (farms.api_keys). Another farm's key, or a personal token, is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.farm_id is None or token.farm_id != farm_id:
        raise NotFound(f"ApiToken {token_id}")
    return _revoke(token, now)
