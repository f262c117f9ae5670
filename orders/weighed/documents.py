"""Weighed goods on the farm's documents: the packing slip's rows (each weighed line's
estimate and actual weight, the difference and the final total, added under its total) and
the parcel's weight on the delivery label."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.i18n import format_vnd
from app.pdf import plain_text
from orders.models import Order
from orders.weighed.amounts import final_line_vnd, settlement


def weighed_rows(order: Order) -> list[list[str]]:
    """Five-column rows (the slip's table), none before the weights are recorded."""
    money = settlement(order)
    if not money.weighed:
        return []
    rows = [
        [
            plain_text(line.product_name, 40),
            _("≈ %(grams)s g", grams=format_decimal(line.estimated_grams)),
            _("%(grams)s g", grams=format_decimal(line.actual_grams)),
            _("Weighed"),
            format_vnd(final_line_vnd(line)),
        ]
        for line in order.lines
        if line.sold_by_weight
    ]
    rows.append(["", "", "", _("Difference"), format_vnd(money.adjustment_vnd)])
    rows.append(["", "", "", _("Final total"), format_vnd(money.final_total_vnd)])
    return rows


def parcel_grams(order: Order) -> int:
    """The box's weight for the carrier: a weighed line at the grams the farm packed once
    they are recorded, every other line at its variant's weight."""
    return sum(
        line.actual_grams if line.sold_by_weight and line.actual_grams else line.weight_grams
        for line in order.lines
    )
