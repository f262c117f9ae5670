"""Accounts: sign-up, log-in, profile, addresses and password reset.

Plain functions over domain objects; they validate, check permissions and flush, and leave
the commit to the caller (one transaction per request).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.identifiers import (
    InvalidIdentifier,
    normalize_email,
    normalize_phone,
    parse_identifier,
)
from app.auth.models import Address, User, new_session_token
from app.auth.operator_scope import ensure_country_wide, record_scope
from app.auth.passwords import check_password_rules, hash_password, password_matches
from app.auth.roles import Role
from app.auth.tokens import user_for_reset_token
from app.db import utcnow
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.validation import check_commune, check_province, clean_text

MAX_NAME_LENGTH = 120
LANGUAGES = ("vi", "en")


def _clean_name(full_name: str) -> str:
    return clean_text(full_name, "full_name", MAX_NAME_LENGTH, _l("your name"))


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise DomainError(_l("Unknown language."), field="preferred_language")
    return language


def _user_with(column, value: str) -> User | None:
    return db.session.scalar(select(User).where(column == value))


def _ensure_email_free(email: str, owner: User | None = None) -> None:
    other = _user_with(User.email, email)
    if other is not None and (owner is None or other.id != owner.id):
        raise DomainError(_l("An account with this e-mail address already exists."), field="email")


def _ensure_phone_free(phone: str, owner: User | None = None) -> None:
    other = _user_with(User.phone, phone)
    if other is not None and (owner is None or other.id != owner.id):
        raise DomainError(_l("An account with this phone number already exists."), field="phone")


def find_user_by_identifier(text: str) -> User | None:
    try:
        identifier = parse_identifier(text)
    except InvalidIdentifier:
        return None
    column = User.email if identifier.kind == "email" else User.phone
    return _user_with(column, identifier.value)


def register_user(
    full_name: str,
    identifier: str,
    password: str,
    *,
    language: str = "vi",
    role: Role = Role.BUYER,
) -> User:
    """Create an account named by a phone number or an e-mail address."""
    if role not in (Role.BUYER, Role.FARMER):
        raise PermissionDenied()
    name = _clean_name(full_name)
    try:
        parsed = parse_identifier(identifier)
    except InvalidIdentifier as exc:
        raise DomainError(
            _l("Enter a Vietnamese mobile number (e.g. 0912 345 678) or an e-mail address."),
            field="identifier",
        ) from exc
    try:
        if parsed.kind == "email":
            _ensure_email_free(parsed.value)
        else:
            _ensure_phone_free(parsed.value)
    except DomainError as exc:
        raise DomainError(exc.message, field="identifier") from exc
    user = User(
        full_name=name,
        email=parsed.value if parsed.kind == "email" else None,
        phone=parsed.value if parsed.kind == "phone" else None,
        password_hash=hash_password(password),
        role=role.value,
        preferred_language=_check_language(language),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(identifier: str, password: str) -> User | None:
    """The active user with this identifier and password, or None (same cost either way)."""
    user = find_user_by_identifier(identifier)
    if not password_matches(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def _ensure_can_edit(user: User, actor: User) -> None:
    if actor.id != user.id and actor.role != Role.OPERATOR:
        raise PermissionDenied()


def update_profile(
    user: User,
    actor: User,
    *,
    full_name: str,
    phone: str | None,
    email: str | None,
    language: str,
) -> User:
    """Change name, contact and language; phone and e-mail stay unique and one is kept."""
    _ensure_can_edit(user, actor)
    name = _clean_name(full_name)
    try:
        new_phone = normalize_phone(phone) if phone and phone.strip() else None
    except InvalidIdentifier as exc:
        raise DomainError(
            _l("Enter a Vietnamese mobile number, e.g. 0912 345 678."), field="phone"
        ) from exc
    try:
        new_email = normalize_email(email) if email and email.strip() else None
    except InvalidIdentifier as exc:
        raise DomainError(_l("Enter a valid e-mail address."), field="email") from exc
    if new_phone is None and new_email is None:
        raise DomainError(
            _l("Keep a phone number or an e-mail address so that you can log in."), field="phone"
        )
    if new_phone:
        _ensure_phone_free(new_phone, owner=user)
    if new_email:
        _ensure_email_free(new_email, owner=user)
    language = _check_language(language)  # checked before any field is written
    # A proof holds for the number or address it was made for, not for its replacement.
    if new_phone != user.phone:
        user.phone_verified_at = None
    if new_email != user.email:
        user.email_verified_at = None
    user.full_name = name
    user.phone = new_phone
    user.email = new_email
    user.preferred_language = language
    db.session.flush()
    return user


def set_preferred_language(user: User, language: str) -> None:
    user.preferred_language = _check_language(language)
    db.session.flush()


def save_default_address(
    user: User,
    actor: User,
    *,
    recipient_name: str,
    phone: str,
    province_code: str,
    commune: str,
    street: str,
) -> Address:
    """Create or replace the user's default delivery address; `commune` is the code of one
    of the province's communes (or its name as the official list writes it)."""
    _ensure_can_edit(user, actor)
    name = clean_text(recipient_name, "recipient_name", MAX_NAME_LENGTH, _l("the recipient's name"))
    try:
        recipient_phone = normalize_phone(phone)
    except InvalidIdentifier as exc:
        raise DomainError(
            _l("Enter a Vietnamese mobile number, e.g. 0912 345 678."), field="address_phone"
        ) from exc
    check_province(province_code)
    chosen = check_commune(province_code, commune)
    street_text = clean_text(street, "street", 255, _l("the street and house number"))

    address = user.default_address
    if address is None:
        address = Address(user=user, is_default=True)
        db.session.add(address)
    address.recipient_name = name
    address.phone = recipient_phone
    address.province_code = province_code
    address.commune = chosen.name
    address.commune_code = chosen.code
    address.street = street_text
    db.session.flush()
    return address


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not password_matches(user.password_hash, current_password):
        raise DomainError(_l("The current password is not right."), field="current_password")
    _set_password(user, new_password)


def _set_password(user: User, new_password: str) -> None:
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    # A new session token signs out every other browser and "remember me" cookie.
    user.session_token = new_session_token()
    db.session.flush()


def set_new_password(user: User, new_password: str) -> None:
    """A new password for an account whose owner proved themselves another way (a one-time
    code): it signs out every session, as a password change does."""
    _set_password(user, new_password)


def end_all_sessions(user: User) -> None:
    """Sign the account out everywhere: every session and "remember me" cookie names the
    old session token, which no longer loads anyone."""
    user.session_token = new_session_token()
    db.session.flush()


def account_for_password_reset(identifier: str) -> User | None:
    """The active account a reset mail can go to, if any; callers must not reveal which."""
    user = find_user_by_identifier(identifier)
    if user is None or not user.is_active or not user.email:
        return None
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise DomainError(_l("This reset link is invalid or has expired. Ask for a new one."))
    _set_password(user, new_password)
    return user


def create_operator(
    full_name: str, identifier: str, password: str, province_code: str | None = None
) -> User:
    """An operator account, or an existing account promoted to operator with a new password;
    its scope (None: the whole country) is set and recorded (`nongsan create-admin`)."""
    existing = find_user_by_identifier(identifier)
    if existing is not None:
        # Name and password are checked before the account is touched: a refusal leaves it.
        name = _clean_name(full_name)
        check_password_rules(password)
        was_operator = existing.role == Role.OPERATOR
        existing.role = Role.OPERATOR.value
        existing.full_name = name
        _set_password(existing, password)
        if not was_operator or existing.operator_province_code != province_code:
            record_scope(existing, province_code, None)
        return existing
    user = register_user(full_name, identifier, password)
    user.role = Role.OPERATOR.value
    record_scope(user, province_code, None)
    return user


def promote_to_operator(identifier: str, actor: User, province_code: str | None) -> User:
    """A country-wide operator makes an existing account an operator of the given scope."""
    ensure_country_wide(actor)
    account = find_user_by_identifier(identifier)
    if account is None:
        raise DomainError(
            _l("No account has this phone number or e-mail address."), field="identifier"
        )
    if account.role == Role.OPERATOR:
        raise DomainError(_l("This account is already an operator."), field="identifier")
    account.role = Role.OPERATOR.value
    record_scope(account, province_code, actor)
    return account
