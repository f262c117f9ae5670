"""The setup checklist's "first batch" step (farms.readiness), registered by traceability's
init_app: farms may not import traceability, which keeps the batches."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from farms.models import Farm
from farms.readiness import Missing, farms_without, register_check
from traceability.models import Batch


def _without_batch(farms: Sequence[Farm]) -> set[int]:
    return farms_without(farms, Batch.farm_id)


def register() -> None:
    register_check(
        "first_batch",
        Missing(
            _l("Record your first batch, so each box carries a label with its origin."),
            _l("Record a batch"),
            "traceability.farm_batches",
        ),
        _without_batch,
        title=_l("First batch recorded"),
        required_to_sell=False,
        position=50,
    )
