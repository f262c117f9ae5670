"""The operators' view of every farm's orders: filters, one page of rows, the filtered totals,
and the payments that wait for a person to review them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.auth.models import User
from app.auth.roles import Role, ensure_role
from app.clock import VIETNAM
from app.extensions import db
from app.geo import province_by_code
from app.paging import Page, paginate
from app.validation import read_id, read_whole_number
from farms.models import Farm
from farms.permissions import in_operator_scope
from orders.models import Checkout, Order
from orders.states import OrderStatus, PaymentStatus

PER_PAGE = 30
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Days an operator can ask about: a wider range gains nothing and would overflow the
#: conversion to UTC at the ends of the calendar.
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(9998, 12, 31)


@dataclass
class OrderFilters:
    state: str | None = None
    payment: str | None = None
    farm_id: int | None = None
    province: str | None = None
    placed_from: date | None = None
    placed_to: date | None = None
    page: int | None = None
    #: What was wrong in the address and ignored, said to the operator.
    problems: list[str] = field(default_factory=list)

    def arguments(self) -> dict[str, str]:
        """The filters as query arguments, for the page links."""
        chosen = {
            "state": self.state,
            "payment": self.payment,
            "farm": str(self.farm_id) if self.farm_id else None,
            "province": self.province,
            "placed_from": self.placed_from.isoformat() if self.placed_from else None,
            "placed_to": self.placed_to.isoformat() if self.placed_to else None,
        }
        return {name: value for name, value in chosen.items() if value}


@dataclass(frozen=True)
class Totals:
    orders: int
    total_vnd: int
    delivery_fees_vnd: int


def _read_day(args: Mapping[str, str], name: str, problems: list[str]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if _ISO_DATE.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None or not _FIRST_DAY <= day <= _LAST_DAY:
        problems.append(_("“%(value)s” is not a date (year-month-day); it was ignored.", value=raw))
        return None
    return day


def read_filters(args: Mapping[str, str], farm_ids: set[int]) -> OrderFilters:
    """The filters from the address. A value that names nothing is ignored and explained, so
    the operator sees why the list is wider than asked for."""
    filters = OrderFilters()
    problems = filters.problems
    state = args.get("state") or ""
    if state in set(OrderStatus):
        filters.state = state
    elif state:
        problems.append(_("There is no order state “%(value)s”; all are shown.", value=state))
    payment = args.get("payment") or ""
    if payment in set(PaymentStatus):
        filters.payment = payment
    elif payment:
        problems.append(_("There is no payment state “%(value)s”; all are shown.", value=payment))
    farm = args.get("farm") or ""
    if read_id(farm) in farm_ids:
        filters.farm_id = read_id(farm)
    elif farm:
        problems.append(_("There is no farm number “%(value)s”; all farms are shown.", value=farm))
    province = args.get("province") or ""
    if province_by_code(province):
        filters.province = province
    elif province:
        problems.append(_("There is no province “%(value)s”; all are shown.", value=province))
    filters.placed_from = _read_day(args, "placed_from", problems)
    filters.placed_to = _read_day(args, "placed_to", problems)
    if filters.placed_from and filters.placed_to and filters.placed_from > filters.placed_to:
        problems.append(_("The first day is after the last day; the dates were ignored."))
        filters.placed_from = filters.placed_to = None
    raw_page = args.get("page")
    if raw_page:
        filters.page = read_whole_number(raw_page)
        if filters.page is None:
            problems.append(
                _("%(what)s must be a whole number; it was ignored.", what=_("The page"))
            )
    return filters


def _start_of_local_day(day: date) -> datetime:
    """Midnight in Vietnam, as the UTC time orders are stored in."""
    return datetime.combine(day, time.min, tzinfo=VIETNAM).astimezone(UTC)


def _conditions(filters: OrderFilters, actor: User) -> list:
    # A province operator's orders are those of their province's farms (where the produce
    # comes from); the province filter is where it goes.
    conditions = [in_operator_scope(actor)]
    if filters.state:
        conditions.append(Order.status == filters.state)
    if filters.payment:
        conditions.append(Order.payment_status == filters.payment)
    if filters.farm_id:
        conditions.append(Order.farm_id == filters.farm_id)
    if filters.province:
        conditions.append(Checkout.province_code == filters.province)
    if filters.placed_from:
        conditions.append(Order.created_at >= _start_of_local_day(filters.placed_from))
    if filters.placed_to:
        next_day = filters.placed_to + timedelta(days=1)
        conditions.append(Order.created_at < _start_of_local_day(next_day))
    return conditions


def orders_across_farms(filters: OrderFilters, actor: User) -> tuple[Page[Order], Totals]:
    """One page of the orders that pass the filters, newest first, and the totals of all of
    them; a fixed number of statements whatever the page holds."""
    ensure_role(actor, Role.OPERATOR)
    conditions = _conditions(filters, actor)
    count, total, fees = db.session.execute(
        select(
            func.count(Order.id),
            func.coalesce(func.sum(Order.total_vnd), 0),
            func.coalesce(func.sum(Order.delivery_fee_vnd), 0),
        )
        .select_from(Order)
        .join(Checkout, Order.checkout_id == Checkout.id)
        .join(Farm, Order.farm_id == Farm.id)
        .where(*conditions)
    ).one()
    statement = (
        select(Order)
        .join(Checkout, Order.checkout_id == Checkout.id)
        .join(Farm, Order.farm_id == Farm.id)
        .where(*conditions)
        .options(contains_eager(Order.checkout), contains_eager(Order.farm))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    page = paginate(statement, filters.page, PER_PAGE)
    return page, Totals(orders=count, total_vnd=int(total), delivery_fees_vnd=int(fees))


def payments_to_review_count(actor: User) -> int:
    ensure_role(actor, Role.OPERATOR)
    return db.session.scalar(
        select(func.count(Order.id))
        .join(Farm, Order.farm_id == Farm.id)
        .where(Order.payment_status == PaymentStatus.NEEDS_REVIEW, in_operator_scope(actor))
    )


def farm_choices(actor: User) -> list[tuple[int, str]]:
    """The farms of the operator's scope, by name, for the farm filter."""
    ensure_role(actor, Role.OPERATOR)
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(Farm.id, Farm.name).where(in_operator_scope(actor)).order_by(Farm.name, Farm.id)
        )
    ]


#: Where on the farm's order page an order waits to be dealt with (its tab).
def farm_tab_for(order: Order) -> str:
    if order.payment_status == PaymentStatus.NEEDS_REVIEW:
        return "review"
    if order.payment_status == PaymentStatus.REFUND_NEEDED:
        return "refunds"
    return {
        OrderStatus.AWAITING_PAYMENT: "new",
        OrderStatus.CONFIRMED: "to_pack",
        OrderStatus.PACKED: "to_ship",
        OrderStatus.SHIPPED: "shipped",
    }.get(order.status, "all")
