"""Password hashing (scrypt, Werkzeug's default) and the rules a new password must meet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import DomainError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128

# Checked against when no account matches, so a wrong identifier costs as long as a wrong
# password and response times do not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return generate_password_hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(
            _l("The password must have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH),
            field="password",
        )
