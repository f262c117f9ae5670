"""Farms (households, cooperatives, companies), the people who run them, their growing areas,
certifications and the bank account they are paid into."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.geo import province_by_code


class FarmKind(enum.StrEnum):
    HOUSEHOLD = "household"
    COOPERATIVE = "cooperative"
    COMPANY = "company"


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    MANAGER = "manager"


class CertificationScheme(enum.StrEnum):
    VIETGAP = "vietgap"
    GLOBALGAP = "globalgap"
    ORGANIC = "organic"
    OTHER = "other"


class Farm(db.Model):
    __tablename__ = "farm"
    __table_args__ = (
        CheckConstraint("kind IN ('household', 'cooperative', 'company')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Readable address of the public page, /farms/<slug>.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    story: Mapped[str] = mapped_column(Text, default="")
    #: Two-digit code of one of the 34 province-level units (app.geo).
    province_code: Mapped[str] = mapped_column(String(2))
    commune: Mapped[str] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(16))
    #: A member household's cooperative; its manager may act for the household.
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("farm.id", ondelete="SET NULL"), index=True
    )
    #: Set by an operator once the farm's identity was checked (the verified badge).
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: A suspended farm's products leave the storefront; its data stays.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Visible reviews of its products and the sum of their stars (orders.reviews.ratings).
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")

    cooperative: Mapped[Farm | None] = relationship(
        remote_side="Farm.id", back_populates="member_farms"
    )
    member_farms: Mapped[list[Farm]] = relationship(
        back_populates="cooperative", order_by="Farm.name"
    )
    members: Mapped[list[FarmMember]] = relationship(
        back_populates="farm", cascade="all, delete-orphan"
    )
    growing_areas: Mapped[list[GrowingArea]] = relationship(
        back_populates="farm", cascade="all, delete-orphan", order_by="GrowingArea.name"
    )
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="farm", cascade="all, delete-orphan", order_by="Certification.expires_on"
    )
    photos: Mapped[list[FarmPhoto]] = relationship(
        back_populates="farm", cascade="all, delete-orphan", order_by="FarmPhoto.position"
    )
    bank_account: Mapped[BankAccount | None] = relationship(
        back_populates="farm", cascade="all, delete-orphan"
    )
    #: Accounts invited to run this member household (see MemberInvitation).
    invitations: Mapped[list[MemberInvitation]] = relationship(
        back_populates="household", cascade="all, delete-orphan"
    )
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def rating_average(self) -> float | None:
        """The mean of its visible reviews' stars, one decimal; None before the first."""
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_cooperative(self) -> bool:
        return self.kind == FarmKind.COOPERATIVE

    @property
    def province_name(self) -> str:
        province = province_by_code(self.province_code)
        return province.display_name if province else ""

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.commune, self.province_name) if p)

    def valid_certifications(self, today: date) -> list[Certification]:
        return [c for c in self.certifications if c.is_valid_on(today)]

    def __repr__(self) -> str:
        return f"<Farm {self.slug}>"


class FarmMember(db.Model):
    """A person who runs a farm: its owner, or a manager it added."""

    __tablename__ = "farm_member"
    __table_args__ = (
        UniqueConstraint("farm_id", "user_id", name="uq_farm_member_farm_user"),
        CheckConstraint("role IN ('owner', 'manager')", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default=MemberRole.OWNER.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class MemberInvitation(db.Model):
    """A cooperative's offer to an existing account to run one of its member households.

    Nothing changes on the account (role, farms) until the account itself accepts it.
    """

    __tablename__ = "member_invitation"
    __table_args__ = (
        UniqueConstraint("household_id", "user_id", name="uq_member_invitation_household_user"),
        CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"))
    #: The invited account (found by the phone number the cooperative's manager typed).
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default=InvitationStatus.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the account accepted or declined.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    household: Mapped[Farm] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING


class GrowingArea(db.Model):
    """A growing area (vùng trồng) with its planting-area code, as importers ask for."""

    __tablename__ = "growing_area"
    __table_args__ = (CheckConstraint("area_ha > 0", name="positive_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Planting-area code (mã số vùng trồng), e.g. VN-HPTH-0123; upper-case.
    code: Mapped[str | None] = mapped_column(String(40))
    crop: Mapped[str] = mapped_column(String(120))
    area_ha: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    commune: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm] = relationship(back_populates="growing_areas")


class Certification(db.Model):
    """VietGAP, GlobalGAP, organic or another certificate; it counts on public pages only
    once an operator verified it, and only until it expires."""

    __tablename__ = "certification"
    __table_args__ = (
        CheckConstraint(
            "scheme IN ('vietgap', 'globalgap', 'organic', 'other')", name="known_scheme"
        ),
        CheckConstraint("expires_on > issued_on", name="expires_after_issue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    #: The scheme's name when it is "other".
    other_scheme: Mapped[str | None] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(80))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    #: Storage key of the uploaded scan (private: served only to the farm and operators).
    scan_key: Mapped[str | None] = mapped_column(String(200))
    scan_content_type: Mapped[str | None] = mapped_column(String(60))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm] = relationship(back_populates="certifications")
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def scheme_name(self) -> str:
        names = {"vietgap": "VietGAP", "globalgap": "GlobalGAP", "organic": "Organic"}
        return names.get(self.scheme) or (self.other_scheme or "")

    def is_expired_on(self, today: date) -> bool:
        return self.expires_on < today

    def is_valid_on(self, today: date) -> bool:
        return self.verified_at is not None and not self.is_expired_on(today)


class FarmPhoto(db.Model):
    __tablename__ = "farm_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), index=True)
    display_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    farm: Mapped[Farm] = relationship(back_populates="photos")


class BankAccount(db.Model):
    """Where the farm is paid: for payouts and the VietQR codes buyers scan to pay."""

    __tablename__ = "bank_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), unique=True)
    #: 6-digit NAPAS BIN of the bank (farms.banks).
    bank_bin: Mapped[str] = mapped_column(String(6))
    account_number: Mapped[str] = mapped_column(String(19))
    #: As printed by the bank: upper-case, without accents.
    holder_name: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    farm: Mapped[Farm] = relationship(back_populates="bank_account")
