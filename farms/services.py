"""Farms: opening a shop, its profile, members, growing areas, certifications, bank account,
and the operators' verification and suspension. Each function checks who is acting."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.identifiers import InvalidIdentifier, normalize_phone
from app.auth.models import User
from app.auth.roles import Role, ensure_role, has_role
from app.clock import local_today
from app.db import utcnow
from app.errors import DomainError, PermissionDenied, get_or_not_found
from app.extensions import db
from app.geo import fold_accents
from app.images import process_document_upload
from app.photo_gallery import add_photo, remove_photo
from app.validation import (
    check_date_order,
    check_province,
    clean_paragraphs,
    clean_text,
    parse_decimal,
    slugify,
)
from app.verification import stamp_verified
from farms.banks import bank_by_bin
from farms.models import (
    BankAccount,
    Certification,
    CertificationScheme,
    Farm,
    FarmKind,
    FarmMember,
    FarmPhoto,
    GrowingArea,
    InvitationStatus,
    MemberInvitation,
    MemberRole,
)
from farms.permissions import ensure_can_manage, ensure_operator_covers, in_operator_scope

MAX_FARM_PHOTOS = 8
#: Planting-area codes as issued: "VN-", a region part, then one to three numbered parts.
AREA_CODE_PATTERN = re.compile(r"^VN-[A-Z0-9]{2,10}(-[A-Z0-9]{1,10}){1,3}$")


def _unique_farm_slug(name: str) -> str:
    base = slugify(name)
    taken = set(db.session.scalars(select(Farm.slug).where(Farm.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _clean_phone(value: str | None, field: str = "contact_phone") -> str | None:
    if not value or not value.strip():
        return None
    try:
        return normalize_phone(value)
    except InvalidIdentifier as exc:
        raise DomainError(
            _l("Enter a Vietnamese mobile number, e.g. 0912 345 678."), field=field
        ) from exc


def _check_kind(kind: str) -> str:
    if kind not in set(FarmKind):
        raise DomainError(_l("Choose one of the options."), field="kind")
    return kind


def _apply_profile(farm: Farm, *, name, kind, province_code, commune, story, contact_phone) -> None:
    # Every field is checked before the farm is touched: a refusal leaves it as it was.
    checked = {
        "name": clean_text(name, "name", 160, _l("the farm's name")),
        "kind": _check_kind(kind),
        "province_code": check_province(province_code),
        "commune": clean_text(commune, "commune", 120, _l("the commune or ward")),
        "story": clean_paragraphs(story, "story", 5000, _l("the story")),
        "contact_phone": _clean_phone(contact_phone),
    }
    for key, value in checked.items():
        setattr(farm, key, value)


def open_farm(owner: User, **profile) -> Farm:
    """A person opens a shop for their household, cooperative or company and runs it."""
    farm = Farm()
    _apply_profile(farm, **profile)
    farm.slug = _unique_farm_slug(farm.name)
    farm.members.append(FarmMember(user=owner, role=MemberRole.OWNER.value))
    db.session.add(farm)
    _promote_to_seller(owner, cooperative=farm.is_cooperative)
    db.session.flush()
    return farm


def _promote_to_seller(user: User, *, cooperative: bool) -> None:
    if has_role(user, Role.OPERATOR):
        return
    if cooperative:
        user.role = Role.COOP_MANAGER.value
    elif not has_role(user, Role.FARMER):
        user.role = Role.FARMER.value


def update_farm(farm: Farm, actor: User, **profile) -> Farm:
    ensure_can_manage(actor, farm)
    if profile.get("kind") != farm.kind and farm.member_farms:
        raise DomainError(
            _l("A cooperative with member households stays a cooperative."), field="kind"
        )
    checked = _verified_identity(farm)
    _apply_profile(farm, **profile)
    if farm.is_verified and _verified_identity(farm) != checked:
        # The badge vouches for what an operator checked: a new name, kind or province
        # goes back to them (operators' /admin/farms lists it as waiting).
        farm.verified_at = None
        farm.verified_by_id = None
    db.session.flush()
    return farm


def _verified_identity(farm: Farm) -> tuple:
    """What an operator checks before verifying a farm; the story and phone are not."""
    return (farm.name, farm.kind, farm.province_code)


def add_member_household(
    cooperative: Farm,
    actor: User,
    *,
    name: str,
    commune: str,
    contact_phone: str | None,
    province_code: str | None = None,
    story: str = "",
) -> Farm:
    """The cooperative's manager registers a member household. If the household's phone
    belongs to another account, that account is only invited to run it: nothing changes on
    the account until it accepts (accept_invitation)."""
    ensure_can_manage(actor, cooperative)
    if not cooperative.is_cooperative:
        raise DomainError(_l("Only a cooperative has member households."))
    household = Farm()
    _apply_profile(
        household,
        name=name,
        kind=FarmKind.HOUSEHOLD.value,
        province_code=province_code or cooperative.province_code,
        commune=commune,
        story=story,
        contact_phone=contact_phone,
    )
    household.slug = _unique_farm_slug(household.name)
    household.cooperative = cooperative
    db.session.add(household)
    if household.contact_phone:
        person = db.session.scalar(select(User).where(User.phone == household.contact_phone))
        if person is not None and person.id == actor.id:
            household.members.append(FarmMember(user=person, role=MemberRole.OWNER.value))
        elif person is not None:
            household.invitations.append(MemberInvitation(user=person, invited_by_id=actor.id))
    db.session.flush()
    return household


def pending_invitations(user: User) -> list[MemberInvitation]:
    """The households this account is invited to run, oldest first."""
    return list(
        db.session.scalars(
            select(MemberInvitation)
            .where(
                MemberInvitation.user_id == user.id,
                MemberInvitation.status == InvitationStatus.PENDING.value,
            )
            .order_by(MemberInvitation.created_at, MemberInvitation.id)
        )
    )


def _answer_invitation(invitation: MemberInvitation, actor: User, status: InvitationStatus):
    """Only the invited account answers, and only once (compare-and-set on the status)."""
    if actor.id != invitation.user_id:
        raise PermissionDenied()
    answered = db.session.execute(
        update(MemberInvitation)
        .where(
            MemberInvitation.id == invitation.id,
            MemberInvitation.status == InvitationStatus.PENDING.value,
        )
        .values(status=status.value, answered_at=utcnow())
    )
    if answered.rowcount != 1:
        raise DomainError(_l("This invitation has already been answered."))
    db.session.refresh(invitation)


def accept_invitation(invitation: MemberInvitation, actor: User) -> Farm:
    """The invited account runs the household from now on, as a farmer."""
    _answer_invitation(invitation, actor, InvitationStatus.ACCEPTED)
    household = invitation.household
    household.members.append(FarmMember(user=actor, role=MemberRole.OWNER.value))
    _promote_to_seller(actor, cooperative=False)
    db.session.flush()
    return household


def decline_invitation(invitation: MemberInvitation, actor: User) -> None:
    _answer_invitation(invitation, actor, InvitationStatus.DECLINED)
    db.session.flush()


def add_farm_photo(farm: Farm, actor: User, data: bytes) -> FarmPhoto:
    ensure_can_manage(actor, farm)
    too_many = _l("A farm can show at most %(n)d photos.", n=MAX_FARM_PHOTOS)
    return add_photo(
        farm.photos, FarmPhoto, data, kind="farms", limit=MAX_FARM_PHOTOS, too_many=too_many
    )


def remove_farm_photo(photo: FarmPhoto, actor: User) -> None:
    ensure_can_manage(actor, photo.farm)
    remove_photo(photo.farm.photos, photo)


# Growing areas --------------------------------------------------------------------------


def normalize_area_code(code: str | None) -> str | None:
    text = "".join((code or "").split()).upper()
    if not text:
        return None
    if not AREA_CODE_PATTERN.match(text):
        raise DomainError(
            _l("A planting-area code looks like VN-HPTH-0123 (letters, digits and dashes)."),
            field="code",
        )
    return text


def _apply_area(
    area: GrowingArea, *, name, code, crop, area_ha, commune, latitude, longitude
) -> None:
    # Every field is checked before the area is touched: a refusal leaves it as it was.
    checked = {
        "name": clean_text(name, "name", 120, _l("the area's name")),
        "code": normalize_area_code(code),
        "crop": clean_text(crop, "crop", 120, _l("the crop")),
        "area_ha": parse_decimal(
            area_ha, "area_ha", _l("the area"), minimum=Decimal("0.01"), maximum=Decimal("100000")
        ),
        "commune": clean_text(commune, "commune", 120, _l("the commune or ward")),
    }
    has_lat = latitude not in (None, "")
    has_lng = longitude not in (None, "")
    if has_lat != has_lng:
        raise DomainError(_l("Enter both latitude and longitude, or neither."), field="latitude")
    checked["latitude"] = (
        parse_decimal(
            latitude,
            "latitude",
            _l("the latitude"),
            minimum=Decimal("8"),
            maximum=Decimal("24"),
            places=6,
        )
        if has_lat
        else None
    )
    checked["longitude"] = (
        parse_decimal(
            longitude,
            "longitude",
            _l("the longitude"),
            minimum=Decimal("102"),
            maximum=Decimal("118"),
            places=6,
        )
        if has_lng
        else None
    )
    for key, value in checked.items():
        setattr(area, key, value)


def add_growing_area(farm: Farm, actor: User, **fields) -> GrowingArea:
    ensure_can_manage(actor, farm)
    area = GrowingArea()
    _apply_area(area, **fields)
    farm.growing_areas.append(area)
    db.session.flush()
    return area


def update_growing_area(area: GrowingArea, actor: User, **fields) -> GrowingArea:
    ensure_can_manage(actor, area.farm)
    _apply_area(area, **fields)
    db.session.flush()
    return area


# Certifications -------------------------------------------------------------------------


def add_certification(
    farm: Farm,
    actor: User,
    *,
    scheme: str,
    other_scheme: str | None,
    number: str,
    issuer: str,
    issued_on: date,
    expires_on: date,
    scan: bytes | None = None,
    scan_filename: str = "",
) -> Certification:
    """A certificate waits for an operator's check before it shows on public pages."""
    ensure_can_manage(actor, farm)
    if scheme not in set(CertificationScheme):
        raise DomainError(_l("Choose one of the options."), field="scheme")
    certification = Certification(
        scheme=scheme,
        other_scheme=(
            clean_text(other_scheme, "other_scheme", 120, _l("the certificate's name"))
            if scheme == CertificationScheme.OTHER
            else None
        ),
        number=clean_text(number, "number", 80, _l("the certificate number")),
        issuer=clean_text(issuer, "issuer", 200, _l("the issuing body")),
        issued_on=issued_on,
        expires_on=expires_on,
    )
    if issued_on > local_today() + timedelta(days=1):
        raise DomainError(_l("The issue date cannot be in the future."), field="issued_on")
    check_date_order(issued_on, expires_on, "expires_on")
    if scan:
        stored = process_document_upload(scan, kind="certificates", filename=scan_filename)
        certification.scan_key = stored.key
        certification.scan_content_type = stored.content_type
    farm.certifications.append(certification)
    db.session.flush()
    return certification


# Bank account ---------------------------------------------------------------------------


def _bank_holder_name(value: str) -> str:
    # Banks print holder names in upper-case without accents; VietQR apps show them that way.
    return fold_accents(
        clean_text(value, "holder_name", 120, _l("the account holder's name"))
    ).upper()


def set_bank_account(
    farm: Farm, actor: User, *, bank_bin: str, account_number: str, holder_name: str
) -> BankAccount:
    ensure_can_manage(actor, farm)
    if bank_by_bin(bank_bin) is None:
        raise DomainError(_l("Choose a bank from the list."), field="bank_bin")
    number = "".join(account_number.split())
    if not re.fullmatch(r"[0-9A-Za-z]{4,19}", number):
        raise DomainError(
            _l("An account number has 4 to 19 letters or digits."), field="account_number"
        )
    # Every field is checked before the account is touched: a refusal leaves it as it was.
    holder = _bank_holder_name(holder_name)
    account = farm.bank_account or BankAccount(farm=farm)
    account.bank_bin = bank_bin
    account.account_number = number.upper()
    account.holder_name = holder
    db.session.add(account)
    db.session.flush()
    return account


# Operators ------------------------------------------------------------------------------


def farms_for_operator(operator: User) -> list[Farm]:
    """The farms of the operator's scope, those waiting for a check first, newest first."""
    ensure_role(operator, Role.OPERATOR)
    return list(
        db.session.scalars(
            select(Farm)
            .where(in_operator_scope(operator))
            .options(selectinload(Farm.certifications))
            .order_by(Farm.verified_at.is_not(None), Farm.created_at.desc())
        )
    )


def certifications_to_check(operator: User) -> list[Certification]:
    """Certificates of the operator's scope that no operator has verified, oldest first."""
    ensure_role(operator, Role.OPERATOR)
    return list(
        db.session.scalars(
            select(Certification)
            .join(Certification.farm)
            .where(Certification.verified_at.is_(None), in_operator_scope(operator))
            .options(contains_eager(Certification.farm))
            .order_by(Certification.created_at)
        )
    )


def verify_farm(farm: Farm, operator: User) -> None:
    ensure_operator_covers(operator, farm)
    stamp_verified(farm, operator)


def suspend_farm(farm: Farm, operator: User, reason: str) -> None:
    ensure_operator_covers(operator, farm)
    farm.suspension_reason = clean_text(reason, "reason", 500, _l("the reason"))
    farm.suspended_at = utcnow()
    farm.suspended_by_id = operator.id
    db.session.flush()


def reinstate_farm(farm: Farm, operator: User) -> None:
    ensure_operator_covers(operator, farm)
    farm.suspended_at = None
    farm.suspended_by_id = None
    farm.suspension_reason = None
    db.session.flush()


def verify_certification(certification: Certification, operator: User) -> None:
    ensure_operator_covers(operator, certification.farm)
    stamp_verified(certification, operator)


def get_farm_for(actor: User, farm_id: int) -> Farm:
    """The farm with this id if the actor may manage it (NotFound, PermissionDenied)."""
    farm = get_or_not_found(Farm, farm_id)
    ensure_can_manage(actor, farm)
    return farm
