"""Batch factories: real batches and diary entries made through the services."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from app.clock import VIETNAM
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from traceability import services
from traceability.models import Batch, BatchEvent

_numbers = itertools.count(1)

#: A fixed "now" for diaries: mid-season for lychee, so dates read naturally in tests.
NOW = datetime(2026, 6, 25, 3, 0, tzinfo=UTC)


def make_batch(farm=None, product=None, **overrides) -> Batch:
    farm = farm or make_farm()
    product = product or make_product(farm, name="Vải thiều Thanh Hà")
    area = overrides.pop("growing_area", None) or make_growing_area(farm)
    return services.create_batch(
        farm,
        farm.members[0].user,
        product_id=product.id,
        code=overrides.pop("code", f"VT2606-{next(_numbers)}"),
        growing_area_id=area.id,
    )


def days_before_now(days: float) -> datetime:
    """A time `days` before NOW, in Vietnam's time as a farmer would type it."""
    return (NOW - timedelta(days=days)).astimezone(VIETNAM).replace(tzinfo=None)


def record(batch, kind: str, days_ago: float, actor=None, **fields) -> BatchEvent:
    entry = services.EventInput(
        kind=kind,
        occurred_at=days_before_now(days_ago).isoformat(timespec="minutes"),
        fields={key: str(value) for key, value in fields.items() if key not in ("note",)},
        note=fields.get("note", ""),
        corrects_id=fields.get("corrects_id"),
        phi_override_reason=fields.get("phi_override_reason", ""),
    )
    return services.record_event(batch, actor or batch.farm.members[0].user, entry, now=NOW)


def spray(batch, days_ago: float, phi_days: int = 14, **overrides) -> BatchEvent:
    fields = {
        "product": "Regent 800WG",
        "active_ingredient": "Fipronil",
        "dose": "1 g / 16 lít",
        "phi_days": phi_days,
    }
    fields.update(overrides)
    return record(batch, "spraying", days_ago, **fields)


def harvest(batch, days_ago: float, quantity="850", **overrides) -> BatchEvent:
    return record(batch, "harvest", days_ago, quantity=quantity, unit="kg", **overrides)
