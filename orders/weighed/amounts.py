"""The arithmetic of weighed goods, in whole đồng (see orders.weighed for the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from orders.models import Order, OrderLine
from orders.states import PaymentMethod
from products.weighed import price_for_grams

#: A weight outside these shares of the estimate needs the farm's confirmation.
USUAL_SHARE = (0.5, 2.0)


def final_line_vnd(line: OrderLine) -> int:
    """A line's amount as packed: as sold plus the price of the weight above (or below) its
    estimate once recorded, else as sold. Priced as a difference, a box that weighs exactly
    its estimate costs exactly what was paid (each piece's price was rounded on its own)."""
    if line.sold_by_weight and line.actual_grams is not None:
        extra_grams = line.actual_grams - line.estimated_grams
        # Never below nothing: far lighter, the pieces' rounding can outweigh what is left.
        return max(line.line_total_vnd + price_for_grams(line.price_per_kg_vnd, extra_grams), 0)
    return line.line_total_vnd


def adjustment_vnd(lines: list[OrderLine]) -> int:
    """Final items minus items as estimated: negative when the box weighed less."""
    return sum(final_line_vnd(line) - line.line_total_vnd for line in lines)


def is_prepaid(order: Order) -> bool:
    """Bank transfer and card are paid before the farm packs; cash is paid on delivery."""
    return order.payment_method != PaymentMethod.CASH_ON_DELIVERY


def absorbed_vnd(order: Order, adjustment: int, limit_vnd: int) -> int:
    """What the farm absorbs of a heavier prepaid box: up to its limit, nothing otherwise."""
    if not is_prepaid(order) or adjustment <= 0:
        return 0
    return min(adjustment, max(limit_vnd, 0))


@dataclass(frozen=True)
class Settlement:
    """What the recorded weights mean for the order's money, as every page shows it."""

    #: Whether the farm has recorded the weights (else the order is still at its estimate).
    weighed: bool
    estimated_total_vnd: int
    adjustment_vnd: int
    final_total_vnd: int
    #: A lighter prepaid box: owed back to the buyer.
    refund_due_vnd: int
    #: A heavier prepaid box: what the farm absorbed.
    absorbed_vnd: int
    #: What the carrier collects: a cash order's final total, or the rest of a heavier
    #: prepaid box above the farm's limit.
    collect_on_delivery_vnd: int
    refunded: bool


def settlement(order: Order) -> Settlement:
    adjustment = order.weight_adjustment_vnd or 0
    weighed = any(line.sold_by_weight and line.actual_grams for line in order.lines)
    final_total = order.total_vnd + adjustment
    absorbed = order.weight_absorbed_vnd or 0
    if is_prepaid(order):
        refund_due = max(-adjustment, 0)
        collect = max(adjustment, 0) - absorbed
    else:
        refund_due = 0
        collect = final_total
    return Settlement(
        weighed=weighed,
        estimated_total_vnd=order.total_vnd,
        adjustment_vnd=adjustment,
        final_total_vnd=final_total,
        refund_due_vnd=refund_due,
        absorbed_vnd=absorbed,
        collect_on_delivery_vnd=collect,
        refunded=order.weight_refunded_at is not None,
    )
