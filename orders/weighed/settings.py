"""The farm's limit for heavier prepaid boxes (see orders.weighed), in its delivery settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.extensions import db
from app.validation import parse_vnd
from farms.models import Farm
from farms.permissions import ensure_can_manage
from orders.delivery import settings_for

#: Larger than this is no "small underpayment".
MAX_ABSORB_VND = 1_000_000


def set_absorb_limit(farm: Farm, actor: User, limit_vnd) -> None:
    ensure_can_manage(actor, farm)
    limit = parse_vnd(
        limit_vnd if str(limit_vnd or "").strip() else 0,
        "underpayment_absorb_limit_vnd",
        _l("the amount you absorb"),
        minimum=0,
        maximum=MAX_ABSORB_VND,
    )
    settings_for(farm).underpayment_absorb_limit_vnd = limit
    db.session.flush()
