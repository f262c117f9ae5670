"""What one-time codes unlock: a new password for a phone-only account, and proof that the
account's phone number or e-mail address is its own (which attaches its guest orders)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth import hooks
from app.auth.code_messages import send_code
from app.auth.models import User
from app.auth.one_time_codes import WRONG, CodeRefused, Purpose, TooManyCodes, issue_code, use_code
from app.auth.passwords import check_password_rules
from app.auth.services import set_new_password
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db

PHONE_CHANNELS = ("zalo", "sms")
#: The account's column, its "verified at" column and the code's purpose, by kind of contact.
CONTACTS = {
    "phone": ("phone", "phone_verified_at", Purpose.VERIFY_PHONE),
    "email": ("email", "email_verified_at", Purpose.VERIFY_EMAIL),
}


def _check_phone_channel(channel: str) -> str:
    if channel not in PHONE_CHANNELS:
        raise DomainError(_l("Choose Zalo or SMS."), field="channel")
    return channel


def _active_account_with_phone(phone: str) -> User | None:
    user = db.session.scalar(select(User).where(User.phone == phone))
    return user if user is not None and user.is_active else None


def request_password_code(phone: str, channel: str) -> None:
    """Send a code for a new password to the active account of this E.164 number, if there
    is one and it has not had its share of codes. Silent either way: the caller answers
    alike whether or not the account exists."""
    channel = _check_phone_channel(channel)
    user = _active_account_with_phone(phone)
    if user is None:
        return
    try:
        code = issue_code(user, Purpose.PASSWORD_RESET, phone, channel)
    except TooManyCodes:
        return
    send_code(user, Purpose.PASSWORD_RESET, channel, phone, code)


def reset_password_with_code(phone: str, code: str, new_password: str) -> tuple[User, list[str]]:
    """Spend the code sent to `phone` and set the new password (which signs out every
    session); the code also proves the phone. Returns the account and what the packages
    have to say about the proof. A wrong code counts a try: the caller commits that."""
    check_password_rules(new_password)  # before the code is spent on a refused password
    user = _active_account_with_phone(phone)
    if user is None:
        raise CodeRefused("wrong", WRONG)  # as for a wrong code: nobody learns who has an account
    use_code(user, Purpose.PASSWORD_RESET, code, destination=phone)
    set_new_password(user, new_password)
    return user, mark_verified(user, "phone")


def _contact(user: User, kind: str) -> tuple[str, str, Purpose]:
    column, verified_column, purpose = CONTACTS[kind]
    value = getattr(user, column)
    if not value:
        if kind == "phone":
            raise DomainError(_l("Add a mobile number to your profile first."))
        raise DomainError(_l("Add an e-mail address to your profile first."))
    return value, verified_column, purpose


def request_contact_code(user: User, kind: str, channel: str) -> str:
    """Send the account a code that proves its phone (by Zalo or SMS) or e-mail (by mail);
    returns where it went. TooManyCodes when the account had its share."""
    value, verified_column, purpose = _contact(user, kind)
    if getattr(user, verified_column) is not None:
        raise DomainError(_l("This is already confirmed."))
    channel = _check_phone_channel(channel) if kind == "phone" else "email"
    code = issue_code(user, purpose, value, channel)
    send_code(user, purpose, channel, value, code)
    return value


def verify_contact(user: User, kind: str, code: str) -> list[str]:
    """Spend the code sent to the account's current phone or e-mail and mark it proven."""
    value, _verified_column, purpose = _contact(user, kind)
    use_code(user, purpose, code, destination=value)
    return mark_verified(user, kind)


def mark_verified(user: User, kind: str, now: datetime | None = None) -> list[str]:
    """The account's phone or e-mail is proven its own: record when (the first time) and let
    the packages act on it (orders attaches the guest orders placed with it)."""
    column, verified_column, _purpose = CONTACTS[kind]
    if getattr(user, verified_column) is None:
        setattr(user, verified_column, now or utcnow())
        db.session.flush()
    return hooks.contact_verified(user, kind, getattr(user, column))
