"""Which batches an order's lines came from, chosen by the farm when it packs the order.

Suggested first harvested, first out, among the batches of the line's season only (never last
year's fruit, never a recalled batch); recorded as BatchAllocation rows so the buyer's order
links to the batches' trace pages and a recall finds every order that received a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.clock import local_today
from app.errors import DomainError
from app.extensions import db
from farms.permissions import ensure_can_manage
from orders import services as order_services
from orders.models import Order, OrderLine
from products.models import Product, Variant
from products.seasons import season_window
from traceability.models import Batch, BatchAllocation, BatchStatus

#: Batches a box can still come from.
_OPEN = (BatchStatus.HARVESTED.value, BatchStatus.PACKED.value)


def open_batches(farm_id: int, product_ids: Sequence[int]) -> dict[int, list[Batch]]:
    """Per product, its harvested batches not sold out or recalled, oldest harvest first."""
    batches = db.session.scalars(
        select(Batch)
        .where(
            Batch.farm_id == farm_id,
            Batch.product_id.in_(product_ids),
            Batch.status.in_(_OPEN),
            Batch.recalled_at.is_(None),
        )
        .order_by(Batch.harvested_on, Batch.id)
    )
    found: dict[int, list[Batch]] = {product_id: [] for product_id in product_ids}
    for batch in batches:
        found[batch.product_id].append(batch)
    return found


def _products(lines: Sequence[OrderLine]) -> dict[int, Product | None]:
    """By line id, the product the line was bought as (None if its variant is gone)."""
    variants = {
        variant.id: variant
        for variant in db.session.scalars(
            select(Variant)
            .where(Variant.id.in_([line.variant_id for line in lines if line.variant_id]))
            .options(selectinload(Variant.product))
        )
    }
    return {
        line.id: variants[line.variant_id].product if line.variant_id in variants else None
        for line in lines
    }


def _in_season(batch: Batch, product: Product, line: OrderLine, today: date) -> bool:
    """A harvest of the season the line is for: the current (or last) one, or for a pre-order
    the season it ships in."""
    window = season_window(product, max(today, line.ships_on or today))
    if window is None:
        return True
    opens, closes = window
    return batch.harvested_on is not None and opens <= batch.harvested_on <= closes


def choices_for(order: Order, today: date | None = None) -> dict[int, list[Batch]]:
    """Per order line, the batches it may come from (the first is the suggestion)."""
    today = today or local_today()
    products = _products(order.lines)
    batches = open_batches(order.farm_id, [p.id for p in products.values() if p])
    choices: dict[int, list[Batch]] = {}
    for line in order.lines:
        product = products[line.id]
        offered = batches.get(product.id, []) if product else []
        choices[line.id] = [b for b in offered if _in_season(b, product, line, today)]
    return choices


def _still_open(batch: Batch, line: OrderLine) -> None:
    """Lock the chosen batch (as a recall does) and refuse it if it was recalled meanwhile."""
    db.session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    db.session.refresh(batch)
    if batch.is_recalled or batch.status not in _OPEN:
        raise DomainError(
            _l(
                "%(name)s: batch %(code)s was recalled or sold out; choose another.",
                name=line.product_name,
                code=batch.code,
            )
        )


def pack_with_batches(
    order: Order,
    actor: User,
    chosen: Mapping[int, Sequence[tuple[str, str]]],
    today: date | None = None,
    **weights,
) -> None:
    """Record where each line came from, then pack the order (one transaction).

    `chosen` maps a line id to (batch id, quantity) pairs as typed; a line with none is
    packed without a batch (a product the farm does not follow by batch). `weights` are
    pack_order's actual weights of the lines sold by weight (orders.weighed).
    """
    ensure_can_manage(actor, order.farm)
    allowed = choices_for(order, today)
    # Every line's batches are checked before the order is packed: a refusal (a batch
    # recalled meanwhile, a wrong count, or an order packed already by a second tap) leaves
    # the order as it was and writes no row.
    units = {
        line.id: _chosen_units(line, allowed[line.id], chosen.get(line.id, ()))
        for line in order.lines
    }
    order_services.pack_order(order, actor, **weights)
    for line_id, counts in units.items():
        for batch_id, count in counts.items():
            db.session.add(
                BatchAllocation(order_line_id=line_id, batch_id=batch_id, quantity=count)
            )
    db.session.flush()


def _chosen_units(
    line: OrderLine, allowed: Sequence[Batch], chosen: Sequence[tuple[str, str]]
) -> dict[int, int]:
    """By batch id, the units of the line the farm says came from it (none, or the line's
    whole quantity); each chosen batch is locked and refused if it is no longer open."""
    units: dict[int, int] = {}
    for batch_id, quantity in chosen:
        if not str(batch_id).strip():
            continue
        batch = next((b for b in allowed if str(b.id) == str(batch_id)), None)
        if batch is None:
            raise DomainError(
                _l("%(name)s: choose one of the batches offered.", name=line.product_name)
            )
        count = _positive(quantity)
        if count is None:
            raise DomainError(
                _l(
                    "%(name)s: enter how many units came from each batch.",
                    name=line.product_name,
                )
            )
        _still_open(batch, line)
        # The same batch chosen twice for a line is one allocation.
        units[batch.id] = units.get(batch.id, 0) + count
    if units and sum(units.values()) != line.quantity:
        raise DomainError(
            _l(
                "%(name)s: the batches add up to %(total)d, the order has %(quantity)d.",
                name=line.product_name,
                total=sum(units.values()),
                quantity=line.quantity,
            )
        )
    return units


def _positive(quantity) -> int | None:
    try:
        count = int(str(quantity).strip())
    except ValueError:
        return None
    return count if 0 < count <= 100_000 else None


def batches_of_lines(line_ids: Iterable[int]) -> dict[int, list[Batch]]:
    """The batches each order line was packed from, for many lines in one statement."""
    found: dict[int, list[Batch]] = {}
    ids = list(line_ids)
    if not ids:
        return found
    rows = db.session.execute(
        select(BatchAllocation.order_line_id, Batch)
        .join(Batch, BatchAllocation.batch_id == Batch.id)
        .where(BatchAllocation.order_line_id.in_(ids))
        .order_by(Batch.code)
    )
    for line_id, batch in rows:
        found.setdefault(line_id, []).append(batch)
    return found
