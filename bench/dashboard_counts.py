"""The dashboard's figures beside counts made directly on the records, for a sample of
(province, period): what `bench/dashboard.py` checks after the refresh.

The direct counts are plain SQL over the records, with the period's bounds as UTC times
(midnight in Vietnam), so they share nothing with the dashboard's own code but the definitions
printed on its page (dashboard/figures.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import text

from app.auth.models import User
from app.clock import VIETNAM
from app.extensions import db
from dashboard import services

#: The figures compared, by the dashboard's keys.
CHECKED = (
    "orders",
    "paid_orders",
    "revenue_vnd",
    "scans",
    "households_ordered",
    "cooperatives_ordered",
    "products_listed",
)


@dataclass
class Sample:
    label: str
    operator: User
    province: str | None
    kind: str
    on: date


def _bounds(first: date, last: date) -> dict[str, datetime]:
    return {
        "start": datetime.combine(first, time.min, VIETNAM),
        "end": datetime.combine(last + timedelta(days=1), time.min, VIETNAM),
    }


def direct_counts(province: str | None, first: date, last: date) -> dict[str, int]:
    """The checked figures, counted on the records themselves."""
    where = "AND f.province_code = :province" if province else ""
    params = {**_bounds(first, last), "province": province}

    def one(sql: str):
        return db.session.execute(text(sql), params).one()

    (orders,) = one(
        f"""SELECT count(*) FROM farm_order o JOIN farm f ON f.id = o.farm_id
            WHERE o.created_at >= :start AND o.created_at < :end {where}"""
    )
    paid, revenue = one(
        f"""SELECT count(*), coalesce(sum(o.total_vnd), 0)
            FROM farm_order o JOIN farm f ON f.id = o.farm_id
            JOIN (SELECT order_id, max(created_at) AS paid_at FROM order_event
                  WHERE kind = 'payment' AND to_state = 'paid' GROUP BY order_id) p
              ON p.order_id = o.id
            WHERE o.payment_status = 'paid' AND p.paid_at >= :start AND p.paid_at < :end
            {where}"""
    )
    (scans,) = one(
        f"""SELECT count(*) FROM label_scan s JOIN batch b ON b.id = s.batch_id
            JOIN farm f ON f.id = b.farm_id
            WHERE s.label_id IS NOT NULL AND s.device <> 'bot'
              AND s.scanned_at >= :start AND s.scanned_at < :end {where}"""
    )
    households, cooperatives = one(
        f"""SELECT count(DISTINCT f.id) FILTER (WHERE f.kind = 'household'),
                   count(DISTINCT f.id) FILTER (WHERE f.kind = 'cooperative')
            FROM farm_order o JOIN farm f ON f.id = o.farm_id
            WHERE o.created_at >= :start AND o.created_at < :end {where}"""
    )
    (listed,) = one(
        f"""SELECT count(*) FROM product p JOIN farm f ON f.id = p.farm_id
            WHERE p.status = 'published'
              AND coalesce(p.published_at, p.created_at) < :end {where}"""
    )
    return {
        "orders": orders,
        "paid_orders": paid,
        "revenue_vnd": revenue,
        "scans": scans,
        "households_ordered": households,
        "cooperatives_ordered": cooperatives,
        "products_listed": listed,
    }


def dashboard_figures(sample: Sample, today: date) -> tuple[dict[str, int], date, date]:
    """The dashboard's figures for the sample as the page shows them (services.dashboard,
    the operator's own scope rules included), and the period's first and last day."""
    args = {"period": sample.kind, "on": sample.on.isoformat()}
    if sample.province:
        args["province"] = sample.province
    filters = services.read_filters(args, sample.operator, today)
    board = services.dashboard(sample.operator, filters, today)
    shown = {f.key: f.current for f in board.figures if f.key in CHECKED}
    period = board.filters.period
    return shown, period.first, period.last


def compare(sample: Sample, today: date) -> tuple[bool, list[str]]:
    """Whether every checked figure equals its direct count; a line per figure."""
    shown, first, last = dashboard_figures(sample, today)
    province = sample.province or sample.operator.operator_province_code
    counted = direct_counts(province, first, last)
    db.session.rollback()
    lines, ok = [], True
    for key in CHECKED:
        same = shown.get(key) == counted[key]
        ok &= same
        lines.append(
            f"    {key:<22} dashboard {shown.get(key)!s:>16}  direct {counted[key]!s:>16}"
            f"  {'equal' if same else 'DIFFERENT'}"
        )
    return ok, lines
