"""Roles and the one place where they are checked.

Views use @role_required; services call ensure_role(). Both read the same table, so the
rule for "who may do what" lives here and nowhere else.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.errors import PermissionDenied

if TYPE_CHECKING:
    from app.auth.models import User


class Role(enum.StrEnum):
    BUYER = "buyer"
    FARMER = "farmer"
    COOP_MANAGER = "coop_manager"
    OPERATOR = "operator"


ROLE_LABELS = {
    Role.BUYER: _l("Buyer"),
    Role.FARMER: _l("Farmer"),
    Role.COOP_MANAGER: _l("Cooperative manager"),
    Role.OPERATOR: _l("Operator"),
}

#: What each role may also act as. Everyone can buy; a cooperative manager is also a farmer;
#: an operator may act for anyone.
_IMPLIED_ROLES: dict[Role, frozenset[Role]] = {
    Role.BUYER: frozenset({Role.BUYER}),
    Role.FARMER: frozenset({Role.BUYER, Role.FARMER}),
    Role.COOP_MANAGER: frozenset({Role.BUYER, Role.FARMER, Role.COOP_MANAGER}),
    Role.OPERATOR: frozenset(Role),
}


def has_role(user: User | None, role: Role) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return role in _IMPLIED_ROLES[Role(user.role)]


def ensure_role(user: User | None, *roles: Role) -> None:
    """Raise PermissionDenied unless the user holds at least one of the roles."""
    if not any(has_role(user, role) for role in roles):
        raise PermissionDenied(_l("Your account cannot do this."))


def role_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard a view: anonymous users go to the log-in page, others without the role get 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from app.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            ensure_role(current_user, *roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator
