"""A farm's figures: orders and revenue by day and by product, on screen and as CSV.

Aggregated in Python over the farm's orders of the period: a farm's volume is small, and
days are counted in Vietnam's time zone the same way on SQLite and PostgreSQL. Revenue is as
ordered (weighed goods at their estimate) and, in the final columns, at the weights packed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.clock import VIETNAM
from app.csv_cells import csv_document
from app.extensions import db
from farms.models import Farm
from farms.permissions import ensure_can_manage
from orders.models import Order
from orders.states import OrderStatus
from orders.weighed.amounts import adjustment_vnd, final_line_vnd
from products.units import translate_unit_label

#: Orders that did not happen do not count as sales.
NOT_SALES = (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value)


@dataclass
class DayFigures:
    day: date
    orders: int = 0
    revenue_vnd: int = 0
    #: Vouchers' discounts on those orders (orders.vouchers), and the platform's part of them.
    discount_vnd: int = 0
    platform_discount_vnd: int = 0
    #: Weighed goods: the revenue at the weights packed (orders.weighed); else the same.
    final_revenue_vnd: int = 0


@dataclass
class ProductFigures:
    product: str
    unit: str
    quantity: int = 0
    revenue_vnd: int = 0
    final_revenue_vnd: int = 0


def _orders(farm: Farm, first: date, last: date) -> list[Order]:
    start = datetime.combine(first, time.min, VIETNAM)
    end = datetime.combine(last + timedelta(days=1), time.min, VIETNAM)
    return list(
        db.session.scalars(
            select(Order)
            .where(
                Order.farm_id == farm.id,
                Order.created_at >= start,
                Order.created_at < end,
                Order.status.not_in(NOT_SALES),
            )
            .options(selectinload(Order.lines))
        )
    )


def figures(farm: Farm, actor: User, first: date, last: date):
    """(by day, every day of the period included; by product, best sellers first)."""
    ensure_can_manage(actor, farm)
    days = {
        first + timedelta(days=n): DayFigures(first + timedelta(days=n))
        for n in range((last - first).days + 1)
    }
    products: dict[tuple[str, str], ProductFigures] = {}
    for order in _orders(farm, first, last):
        day = days[order.created_at.astimezone(VIETNAM).date()]
        day.orders += 1
        day.revenue_vnd += order.subtotal_vnd
        day.discount_vnd += order.discount_vnd
        day.platform_discount_vnd += order.platform_discount_vnd
        # The items' difference, not the order's: a voucher may cover part of it (weighed).
        day.final_revenue_vnd += order.subtotal_vnd + adjustment_vnd(order.lines)
        for line in order.lines:
            # In the reader's language: lines stored in either language add up together.
            key = (line.product_name, translate_unit_label(line.unit_label))
            product = products.setdefault(key, ProductFigures(*key))
            product.quantity += line.quantity
            product.revenue_vnd += line.line_total_vnd
            product.final_revenue_vnd += final_line_vnd(line)
    by_product = sorted(products.values(), key=lambda p: (-p.revenue_vnd, p.product))
    return list(days.values()), by_product


def figures_csv(by_day: list[DayFigures], by_product: list[ProductFigures]) -> str:
    """Both tables in one UTF-8 CSV with a byte-order mark, so Excel shows Vietnamese; product
    names and units are the farm's text, which `csv_document` keeps from running as formulas."""
    return csv_document(
        [
            [
                "date",
                "orders",
                "revenue_vnd",
                "discount_vnd",
                "platform_discount_vnd",
                "revenue_final_vnd",
            ],
            *(
                [
                    day.day.isoformat(),
                    day.orders,
                    day.revenue_vnd,
                    day.discount_vnd,
                    day.platform_discount_vnd,
                    day.final_revenue_vnd,
                ]
                for day in by_day
            ),
            [],
            ["product", "unit", "quantity", "revenue_vnd", "revenue_final_vnd"],
            *(
                [
                    product.product,
                    product.unit,
                    product.quantity,
                    product.revenue_vnd,
                    product.final_revenue_vnd,
                ]
                for product in by_product
            ),
        ]
    )
