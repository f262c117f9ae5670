"""The "known device" cookie: which accounts have logged in from this browser before.

Wrong passwords for an account slow down log-ins from browsers it never used (the per-account
limit), not from its owner's own phone: so an attacker who guesses from many addresses cannot
keep a farmer out. The cookie is signed, names at most a few accounts, and lasts a year.
"""

from __future__ import annotations

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


def known_account_ids(request: Request) -> list[int]:
    """The accounts that logged in from this browser, from a genuine, unexpired cookie."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return []
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE.total_seconds())
    except BadSignature:  # also a cookie that has expired
        return []
    if not isinstance(data, list):
        return []
    return [n for n in data if isinstance(n, int) and not isinstance(n, bool)]


def remember_device(request: Request, response: Response, user: User) -> None:
    """Mark this browser as one the account has logged in from."""
    ids = [n for n in known_account_ids(request) if n != user.id] + [user.id]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(ids[-MAX_ACCOUNTS:]),
        max_age=int(MAX_AGE.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
