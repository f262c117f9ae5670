"""A figure's value in the reader's language: đồng, a share as a percentage, days."""

from __future__ import annotations

from flask_babel import format_decimal, format_percent

from app.i18n import format_vnd
from dashboard.figures import DAYS, PERCENT, VND


def figure_value(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == VND:
        return format_vnd(int(value))
    if kind == PERCENT:
        return format_percent(value, "#,##0.0%")
    if kind == DAYS:
        return format_decimal(round(value, 1))
    return format_decimal(int(value))


def figure_change(change, kind: str, relative=None) -> str:
    """ "+3 (+25 %)", "−1,5 điểm" for shares, "—" without a comparison."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    if kind == PERCENT:
        return f"{sign}{format_decimal(round(abs(change) * 100, 1))} pp"
    text = sign + figure_value(abs(change), kind)
    if relative is not None:
        text += f" ({sign}{format_percent(abs(relative), '#,##0%')})"
    return text
