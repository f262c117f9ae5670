"""Creating, listing and disabling vouchers, with who may do it.

A farm's people (and the operators who may manage the farm) create and disable its
vouchers; platform vouchers (no farm, their cost borne by the platform) are created and
disabled by country-wide operators only: they discount every farm of the country and the
platform pays for them, platform-wide work like the outbox (app.auth.operator_scope), not
a province's.

A code is unique per issuer among its live vouchers (active and not ended); dates are
whole days in Vietnam's time: from 00:00 of the first day to 24:00 of the last.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.auth.operator_scope import ensure_country_wide
from app.clock import VIETNAM, local_today
from app.db import utcnow
from app.errors import DomainError, NotFound
from app.extensions import db
from app.locks import lock_for_this_transaction
from app.validation import parse_vnd, parse_whole_number
from farms.models import Farm
from farms.permissions import ensure_can_manage
from orders.vouchers.models import Voucher, VoucherKind
from orders.vouchers.rules import CODE_PATTERN, clean_code
from products.models import Product

MAX_USES = 1_000_000
#: How far ahead a voucher's last day may be.
LONGEST_DAYS = 5 * 366


def ensure_may_issue(actor: User | None, farm: Farm | None) -> None:
    """A farm's vouchers are its managers'; platform vouchers are the operators'."""
    if farm is None:
        ensure_country_wide(actor)
    else:
        ensure_can_manage(actor, farm)


def day_start(day: date) -> datetime:
    """00:00 of `day` in Vietnam, as the UTC moment stored."""
    return datetime.combine(day, time(), tzinfo=VIETNAM).astimezone(UTC)


def _value(kind: str, value: str) -> int:
    if kind == VoucherKind.PERCENT:
        return parse_whole_number(value, "value", _l("The percentage"), minimum=1, maximum=100)
    return parse_vnd(value, "value", _l("The amount off"))


def _products(farm: Farm | None, product_ids: list[int]) -> list[Product]:
    if not product_ids:
        return []
    if farm is None:
        raise DomainError(_l("A platform voucher applies to every product."), field="products")
    products = list(
        db.session.scalars(
            select(Product).where(Product.id.in_(product_ids), Product.farm_id == farm.id)
        )
    )
    if len(products) != len(set(product_ids)):
        raise DomainError(_l("Choose products of this farm."), field="products")
    return products


def create_voucher(
    actor: User,
    farm: Farm | None,
    *,
    code: str,
    kind: str,
    value: str,
    max_discount_vnd: str | None,
    min_spend_vnd: str | None,
    starts_on: date,
    ends_on: date,
    total_uses: str,
    uses_per_buyer: str,
    first_order_only: bool,
    product_ids: list[int] | None = None,
) -> Voucher:
    ensure_may_issue(actor, farm)
    code = clean_code(code)
    if not CODE_PATTERN.match(code):
        raise DomainError(
            _l("Write the code with 3 to 30 letters (A–Z), digits, “-” or “_”."), field="code"
        )
    if kind not in set(VoucherKind):
        raise DomainError(_l("Choose one of the options."), field="kind")
    amount = _value(kind, value)
    cap = None
    if kind == VoucherKind.PERCENT and (max_discount_vnd or "").strip():
        cap = parse_vnd(max_discount_vnd, "max_discount_vnd", _l("The largest discount"))
    minimum = 0
    if (min_spend_vnd or "").strip():
        minimum = parse_vnd(min_spend_vnd, "min_spend_vnd", _l("The minimum spend"), minimum=0)
    if ends_on < starts_on:
        raise DomainError(_l("The last day comes after the first day."), field="ends_on")
    if ends_on < local_today():
        raise DomainError(_l("The last day has already passed."), field="ends_on")
    # Days at the calendar's ends overflow when turned into UTC moments (day_start).
    if starts_on < local_today():
        raise DomainError(_l("The first day has already passed."), field="starts_on")
    if ends_on > local_today() + timedelta(days=LONGEST_DAYS):
        raise DomainError(
            _l("A voucher can run until at most 5 years from today."), field="ends_on"
        )
    uses = parse_whole_number(
        total_uses, "total_uses", _l("The number of uses"), minimum=1, maximum=MAX_USES
    )
    per_buyer = parse_whole_number(
        uses_per_buyer, "uses_per_buyer", _l("The uses per buyer"), minimum=1, maximum=uses
    )
    products = _products(farm, product_ids or [])
    # Two people of the farm, or two operators, creating the same code at once.
    lock_for_this_transaction(f"voucher-code:{farm.id if farm else 'platform'}:{code}")
    if _live_code_exists(code, farm):
        raise DomainError(
            _l("A voucher with code %(code)s is already running.", code=code), field="code"
        )
    voucher = Voucher(
        code=code,
        farm_id=farm.id if farm else None,
        kind=kind,
        value=amount,
        max_discount_vnd=cap,
        min_spend_vnd=minimum,
        starts_at=day_start(starts_on),
        ends_at=day_start(ends_on + timedelta(days=1)),
        total_uses=uses,
        uses_per_buyer=per_buyer,
        first_order_only=bool(first_order_only),
        created_by_id=actor.id,
        products=products,
    )
    db.session.add(voucher)
    db.session.flush()
    return voucher


def _live_code_exists(code: str, farm: Farm | None) -> bool:
    issuer = Voucher.farm_id.is_(None) if farm is None else Voucher.farm_id == farm.id
    return (
        db.session.scalar(
            select(Voucher.id).where(
                Voucher.code == code, issuer, Voucher.active.is_(True), Voucher.ends_at > utcnow()
            )
        )
        is not None
    )


def get_voucher(actor: User, voucher_id: int, farm: Farm | None) -> Voucher:
    """One of the issuer's vouchers, or NotFound (another farm's voucher is not shown)."""
    ensure_may_issue(actor, farm)
    voucher = db.session.get(Voucher, voucher_id)
    if voucher is None or voucher.farm_id != (farm.id if farm else None):
        raise NotFound()
    return voucher


def disable_voucher(actor: User, voucher: Voucher) -> None:
    """No new checkout may use it; orders placed with it keep their discount."""
    ensure_may_issue(actor, voucher.farm)
    voucher.active = False
    db.session.flush()


def vouchers_of(actor: User, farm: Farm | None) -> list[Voucher]:
    """The issuer's vouchers, newest first, with their products."""
    ensure_may_issue(actor, farm)
    issuer = Voucher.farm_id.is_(None) if farm is None else Voucher.farm_id == farm.id
    return list(
        db.session.scalars(
            select(Voucher)
            .where(issuer)
            .options(selectinload(Voucher.products))
            .order_by(Voucher.created_at.desc(), Voucher.id.desc())
        )
    )


def products_to_choose(actor: User, farm: Farm) -> list[Product]:
    """The farm's products a voucher may be limited to."""
    ensure_can_manage(actor, farm)
    return list(
        db.session.scalars(
            select(Product).where(Product.farm_id == farm.id).order_by(Product.name, Product.id)
        )
    )
