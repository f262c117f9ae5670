"""Who may manage which farm. Every farm service calls ensure_can_manage() first; operator
services call ensure_operator_covers() and filter their lists with in_operator_scope()."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from app.auth.models import User
from app.auth.operator_scope import covers, ensure_covers, scope_province
from app.auth.roles import Role, has_role
from app.errors import PermissionDenied
from app.extensions import db
from farms.models import Farm, FarmMember


def _member_farm_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(FarmMember.farm_id).where(FarmMember.user_id == user.id)))


def own_farm_ids(user: User) -> list[int]:
    """The farms the person is a member of (not the households their cooperative holds)."""
    return sorted(_member_farm_ids(user))


def can_manage(user: User | None, farm: Farm) -> bool:
    """Operators of the farm's province (or the whole country), the farm's own people, and
    the managers of its cooperative."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if covers(user, farm.province_code):
        return True
    own = _member_farm_ids(user)
    if farm.id in own:
        return True
    return (
        farm.cooperative_id is not None
        and farm.cooperative_id in own
        and has_role(user, Role.COOP_MANAGER)
    )


def ensure_can_manage(user: User | None, farm: Farm) -> None:
    if not can_manage(user, farm):
        raise PermissionDenied()


def managed_farms(user: User) -> list[Farm]:
    """The farms a person runs, then the member households of the cooperatives they manage."""
    own = db.session.scalars(
        select(Farm).join(FarmMember).where(FarmMember.user_id == user.id).order_by(Farm.name)
    ).all()
    farms = list(own)
    if has_role(user, Role.COOP_MANAGER):
        for cooperative in own:
            if cooperative.is_cooperative:
                farms.extend(m for m in cooperative.member_farms if m not in farms)
    return farms


def in_operator_scope(operator: User) -> ColumnElement[bool]:
    """The farms an operator's lists show: every farm, or those of their province."""
    code = scope_province(operator)
    return true() if code is None else Farm.province_code == code


def ensure_operator_covers(operator: User, farm: Farm) -> None:
    """An operator acts on a farm (or its certificates, products, payouts) of their scope only;
    another province's farm is NotFound."""
    ensure_covers(operator, farm.province_code)
