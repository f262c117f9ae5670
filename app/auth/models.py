"""People who use the marketplace and the addresses they deliver to."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.identifiers import display_phone
from app.auth.roles import Role
from app.db import UTCDateTime, utcnow
from app.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_identifier"),
        CheckConstraint(
            "role IN ('buyer', 'farmer', 'coop_manager', 'operator')", name="known_role"
        ),
        CheckConstraint("preferred_language IN ('vi', 'en')", name="known_language"),
        CheckConstraint(
            "operator_province_code IS NULL OR role = 'operator'", name="scope_of_operators"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    #: Lower-cased e-mail address; one of e-mail and phone is required.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: Mobile number in E.164 form (+84…).
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    #: When a code sent to `phone` was typed back (or None): the number is proven the
    #: account's. Cleared when the number changes.
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The same for `email`.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.BUYER.value)
    preferred_language: Mapped[str] = mapped_column(String(5), default="vi")
    #: The channels chosen for messages, "email,zalo,sms" in that order; None until the
    #: person chooses (app.messaging.recipients then follows their addresses).
    message_channels: Mapped[str | None] = mapped_column(String(20))
    #: What the login cookie names; replaced on a password change, which signs out old sessions.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    #: An operator's scope: NULL for the whole country, else the code (app.geo) of the one
    #: province whose farms, certificates, orders and payouts they see and act on.
    operator_province_code: Mapped[str | None] = mapped_column(String(2))
    #: An operator can switch an account off; it then cannot log in.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Address.id"
    )

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def display_phone(self) -> str:
        return display_phone(self.phone)

    @property
    def default_address(self) -> Address | None:
        return next((a for a in self.addresses if a.is_default), None)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Address(db.Model):
    """A delivery address in the two-level administration: province, commune/ward, street."""

    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    recipient_name: Mapped[str] = mapped_column(String(120))
    #: Recipient's mobile number in E.164 form.
    phone: Mapped[str] = mapped_column(String(16))
    #: Two-digit province code of the 34 units in force since 1 July 2025 (app.geo).
    province_code: Mapped[str] = mapped_column(String(2))
    #: Commune or ward (xã/phường/đặc khu) by name, as shown and as it was when saved.
    commune: Mapped[str] = mapped_column(String(120))
    #: Its five-digit official code (app.geo); NULL only for an address written as free
    #: text before the official list that matched no commune of its province: the person
    #: is asked to choose from the list the next time they use it.
    commune_code: Mapped[str | None] = mapped_column(String(5))
    #: Street, house number, hamlet (thôn/ấp), building.
    street: Mapped[str] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="addresses")

    @property
    def province_name(self) -> str:
        from app.geo import province_by_code

        province = province_by_code(self.province_code)
        return province.display_name if province else self.province_code

    @property
    def needs_commune_choice(self) -> bool:
        return self.commune_code is None

    def one_line(self) -> str:
        return ", ".join(part for part in (self.street, self.commune, self.province_name) if part)


class OperatorScopeChange(db.Model):
    """One change of an operator's scope, never edited: who gave it, when, and to what."""

    __tablename__ = "operator_scope_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: The scope given: NULL for the whole country, else a province code.
    province_code: Mapped[str | None] = mapped_column(String(2))
    #: The country-wide operator who changed it; NULL when `nongsan create-admin` did.
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    operator: Mapped[User] = relationship(foreign_keys=[operator_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
