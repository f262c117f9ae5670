"""The "known device" cookie: which accounts have logged in from this browser before.

Wrong passwords for an account slow down log-ins from browsers it never used (the per-account
limit), not from its owner's own phone: so an attacker who guesses from many addresses cannot
keep a farmer out. The cookie is signed, names at most a few accounts, and lasts a year.
Each entry is bound to the account's password (a keyed digest of its hash): changing the
password forgets every browser known before (a shared computer, a lost phone), except the
one it was changed on.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.auth.models import User

COOKIE_NAME = "known_device"
MAX_AGE = timedelta(days=365)
#: A family phone may hold a few accounts; the newest are kept.
MAX_ACCOUNTS = 5
_SALT = "known-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _tag(user: User) -> str:
    """Changes when the account's password changes; says nothing about the password."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    key = hashlib.sha256(b"nongsan known device\0" + secret)
    message = f"{user.id}:{user.password_hash}".encode()
    return hmac.new(key.digest(), message, hashlib.sha256).hexdigest()[:16]


def _entries(request: Request) -> list[str]:
    """The "<account id>.<tag>" entries of a genuine, unexpired cookie."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return []
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE.total_seconds())
    except BadSignature:  # also a cookie that has expired
        return []
    if not isinstance(data, list):
        return []
    return [entry for entry in data if isinstance(entry, str)]


def is_known_device(request: Request, user: User) -> bool:
    """Whether the account logged in from this browser since its password last changed."""
    return f"{user.id}.{_tag(user)}" in _entries(request)


def remember_device(request: Request, response: Response, user: User) -> None:
    """Mark this browser as one the account has logged in from."""
    mine = f"{user.id}."
    entries = [e for e in _entries(request) if not e.startswith(mine)] + [mine + _tag(user)]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(entries[-MAX_ACCOUNTS:]),
        max_age=int(MAX_AGE.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
