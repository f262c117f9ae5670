"""What the domains add to accounts, registered by their `init_app` (app/ imports no domain).

Three hooks, explicit and per application (kept in `app.extensions`), rather than signals:
- `on_login(app, hook)`: `hook(session, user)` runs when an account starts a session (log-in
  or sign-up), before the view commits; orders merges the guest's cart this way.
- `on_profile(app, notice)`: `notice(user)` returns a `ProfileNotice` for the profile page, or
  None; farms tells of a cooperative's pending invitations this way.
- `on_landing(app, landing)`: `landing(user)` returns the address an account goes to after
  log-in or sign-up when no `next` was asked for, or None; farms sends its people to their
  farm's dashboard this way.
- `on_contact_verified(app, hook)`: `hook(user, kind, value)` runs when the account proves a
  phone number (kind "phone") or an e-mail address ("email") is its own, before the commit;
  it returns a sentence for the person, or None. Orders attaches guest checkouts this way.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field

from flask import Flask, current_app

from app.auth.models import User


@dataclass(frozen=True)
class ProfileNotice:
    """A line at the top of the profile page, with a link to where it is dealt with."""

    text: str
    link_text: str
    url: str


LoginHook = Callable[[MutableMapping, User], None]
NoticeProvider = Callable[[User], ProfileNotice | None]
LandingProvider = Callable[[User], str | None]
ContactVerifiedHook = Callable[[User, str, str], str | None]


@dataclass
class AuthHooks:
    login: list[LoginHook] = field(default_factory=list)
    profile: list[NoticeProvider] = field(default_factory=list)
    landing: list[LandingProvider] = field(default_factory=list)
    contact_verified: list[ContactVerifiedHook] = field(default_factory=list)


def _hooks(app: Flask) -> AuthHooks:
    return app.extensions.setdefault("nongsan_auth_hooks", AuthHooks())


def on_login(app: Flask, hook: LoginHook) -> None:
    _hooks(app).login.append(hook)


def on_profile(app: Flask, notice: NoticeProvider) -> None:
    _hooks(app).profile.append(notice)


def on_landing(app: Flask, landing: LandingProvider) -> None:
    _hooks(app).landing.append(landing)


def session_started(session: MutableMapping, user: User) -> None:
    """Run the log-in hooks, in the order the packages registered them."""
    for hook in _hooks(current_app).login:
        hook(session, user)


def profile_notices(user: User) -> list[ProfileNotice]:
    notices = (provide(user) for provide in _hooks(current_app).profile)
    return [notice for notice in notices if notice is not None]


def landing_url(user: User) -> str | None:
    """Where the account starts, from the first package that has a place for it."""
    for landing in _hooks(current_app).landing:
        if (url := landing(user)) is not None:
            return url
    return None


def on_contact_verified(app: Flask, hook: ContactVerifiedHook) -> None:
    _hooks(app).contact_verified.append(hook)


def contact_verified(user: User, kind: str, value: str) -> list[str]:
    """Run the hooks for a newly proven phone or e-mail; what they have to tell the person."""
    results = (hook(user, kind, value) for hook in _hooks(current_app).contact_verified)
    return [sentence for sentence in results if sentence]
