"""Whether a farm can take an order: what must be set before its products go on sale.

A farm needs a way to hand the goods over (delivery zones or pickup: the orders domain
knows those) and a way to be paid (its bank account: bank transfer is the checkout's default
and payouts go there). Domains that own a requirement register a check here, since farms and
products may not import orders (dependencies point orders → products → farms).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from farms.models import BankAccount, Farm


@dataclass(frozen=True)
class Missing:
    """One thing the farm still has to set, and where (an endpoint taking farm_id)."""

    message: str
    fix_label: str
    endpoint: str


#: name -> (what is missing, which of some farms lack it: their ids).
_checks: dict[str, tuple[Missing, Callable[[Sequence[Farm]], Collection[int]]]] = {}


def register_check(
    name: str, missing: Missing, lacking: Callable[[Sequence[Farm]], Collection[int]]
) -> None:
    """Add (or replace, by name) a requirement a farm must meet to sell.

    `lacking` answers for many farms at once (the ids of those that lack it), so a page
    listing farms asks each requirement once, not once per farm.
    """
    _checks[name] = (missing, lacking)


def missing_for_farms(farms: Sequence[Farm]) -> dict[int, list[Missing]]:
    """By farm id, what stops each farm taking an order, in the order checks were registered."""
    found: dict[int, list[Missing]] = {farm.id: [] for farm in farms}
    if not farms:
        return found
    for missing, lacking in _checks.values():
        for farm_id in lacking(farms):
            found[farm_id].append(missing)
    return found


def missing_to_sell(farm: Farm) -> list[Missing]:
    """What stops the farm taking an order, in the order the checks were registered."""
    return missing_for_farms([farm])[farm.id]


def _without_bank_account(farms: Sequence[Farm]) -> set[int]:
    ids = [farm.id for farm in farms]
    paid_to = db.session.scalars(select(BankAccount.farm_id).where(BankAccount.farm_id.in_(ids)))
    return set(ids) - set(paid_to)


register_check(
    "bank_account",
    Missing(
        _l("No way to be paid: add the bank account buyers transfer to."),
        _l("Add a bank account"),
        "farms.bank_account",
    ),
    _without_bank_account,
)
