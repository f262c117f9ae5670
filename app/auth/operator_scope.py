"""An operator's scope: the whole country, or one province whose records they see and act on.

Every operator service asks here (`covers`, `ensure_covers`, `ensure_country_wide`); only a
country-wide operator gives or changes a scope, and every change is kept as a row.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import OperatorScopeChange, User
from app.auth.roles import Role, ensure_role, has_role
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.geo import province_by_code, province_for_name


def scope_province(user: User | None) -> str | None:
    """The province an operator is limited to, or None for the whole country."""
    return user.operator_province_code if has_role(user, Role.OPERATOR) else None


def covers(user: User | None, province_code: str | None) -> bool:
    """Whether an operator may see and act on a record of this province."""
    if not has_role(user, Role.OPERATOR):
        return False
    scope = user.operator_province_code
    return scope is None or scope == province_code


def ensure_covers(user: User | None, province_code: str | None) -> None:
    """Another province's record does not exist for a province operator (404, not a hint)."""
    ensure_role(user, Role.OPERATOR)
    if not covers(user, province_code):
        raise NotFound("outside the operator's province")


def is_country_wide(user: User | None) -> bool:
    return has_role(user, Role.OPERATOR) and user.operator_province_code is None


def ensure_country_wide(user: User | None) -> None:
    """Platform-wide work (the outbox, job failures, operators' accounts) is not a province's."""
    ensure_role(user, Role.OPERATOR)
    if not is_country_wide(user):
        raise PermissionDenied(_l("Only an operator for the whole country can do this."))


def scope_name(code: str | None) -> str:
    """A scope in words: "Cả nước" (None) or the province's name."""
    if code is None:
        return str(_l("Whole country"))
    province = province_by_code(code)
    return province.display_name if province else code


def scope_label(user: User | None) -> str:
    """What the operator sees, for the header of their pages."""
    return scope_name(user.operator_province_code if user is not None else None)


def read_scope(text: str | None) -> str | None:
    """A scope typed or chosen: empty for the whole country, else a province code or name
    (a former province's name gives the unit that absorbed it: "Hải Dương" is Hải Phòng)."""
    text = (text or "").strip()
    if not text:
        return None
    province = province_by_code(text) or province_for_name(text)
    if province is None:
        raise DomainError(_l("There is no province “%(value)s”.", value=text), field="province")
    return province.code


def record_scope(operator: User, province_code: str | None, changed_by: User | None) -> None:
    """Give an operator a scope and keep the change (changed_by None: the command line)."""
    operator.operator_province_code = province_code
    db.session.add(
        OperatorScopeChange(operator=operator, province_code=province_code, changed_by=changed_by)
    )
    db.session.flush()


def change_scope(operator: User, actor: User, province_code: str | None) -> None:
    """A country-wide operator sets another operator's scope (or their own)."""
    ensure_country_wide(actor)
    if operator.role != Role.OPERATOR:
        raise DomainError(_l("Only an operator has a scope."))
    if operator.operator_province_code != province_code:
        record_scope(operator, province_code, actor)


def operators(actor: User) -> list[User]:
    """Every operator account, by name, for a country-wide operator."""
    ensure_country_wide(actor)
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.OPERATOR.value).order_by(User.full_name, User.id)
        )
    )


def scope_history(actor: User, limit: int = 30) -> list[OperatorScopeChange]:
    """The latest scope changes, newest first."""
    ensure_country_wide(actor)
    return list(
        db.session.scalars(
            select(OperatorScopeChange)
            .options(
                selectinload(OperatorScopeChange.operator),
                selectinload(OperatorScopeChange.changed_by),
            )
            .order_by(OperatorScopeChange.changed_at.desc(), OperatorScopeChange.id.desc())
            .limit(limit)
        )
    )
