"""What a token may reach: a farm it manages (and, for a farm key, only that farm); the
operators' work only for an operator's account. The services check again; this answers
early and the same way for every operation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from api.auth import current_credential
from app.auth.models import User
from app.auth.roles import Role, has_role
from app.errors import PermissionDenied, get_or_not_found
from farms.models import Farm
from farms.permissions import ensure_can_manage


def farm_in_reach(farm_id: int) -> Farm:
    """The farm, when the calling token may act on it; else PermissionDenied (403)."""
    credential = current_credential()
    assert credential is not None, "farm_in_reach() outside an authorized operation"
    farm = get_or_not_found(Farm, farm_id)
    if credential.farm_id is not None and credential.farm_id != farm.id:
        raise PermissionDenied(_l("This key belongs to another farm."))
    ensure_can_manage(credential.user, farm)
    return farm


def operator_caller() -> User:
    """The calling operator; anyone else is refused, whatever scopes their token holds."""
    credential = current_credential()
    assert credential is not None, "operator_caller() outside an authorized operation"
    if credential.farm_id is not None or not has_role(credential.user, Role.OPERATOR):
        raise PermissionDenied()
    return credential.user
