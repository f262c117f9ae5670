"""A new farm's setup checklist, and what of it must be done before its products go on sale.

The steps: a profile buyers can trust (a few words and a photo), a way to hand the goods over
(delivery zones or pickup: the orders domain knows those), a way to be paid (its bank
account: bank transfer is the checkout's default and payouts go there), a first product on
sale, a first batch recorded for its labels. Only the way to hand over and the way to be paid
stop a farm selling; the dashboard shows the whole list until every step is done.

Domains that own a step register it here (products, orders and traceability may import
farms; farms imports none of them), in the order the list shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from farms.models import BankAccount, Farm, FarmPhoto


@dataclass(frozen=True)
class Missing:
    """One thing the farm still has to set, and where (an endpoint taking farm_id)."""

    message: str
    fix_label: str
    endpoint: str


@dataclass(frozen=True)
class Step:
    """One line of the checklist: what it is, whether it stops selling, and how to do it."""

    name: str
    title: str
    missing: Missing
    required_to_sell: bool
    position: int


@dataclass(frozen=True)
class Checklist:
    """A farm's steps, each with whether it is done, in the checklist's order."""

    steps: list[tuple[Step, bool]]

    @property
    def complete(self) -> bool:
        return all(done for _, done in self.steps)

    @property
    def can_sell(self) -> bool:
        return all(done for step, done in self.steps if step.required_to_sell)

    @property
    def done_count(self) -> int:
        return sum(1 for _, done in self.steps if done)


#: name -> (the step, which of some farms have not done it: their ids).
_checks: dict[str, tuple[Step, Callable[[Sequence[Farm]], Collection[int]]]] = {}


def register_check(
    name: str,
    missing: Missing,
    lacking: Callable[[Sequence[Farm]], Collection[int]],
    *,
    title=None,
    required_to_sell: bool = True,
    position: int = 100,
) -> None:
    """Add (or replace, by name) a step of the checklist; by default one a farm must have done
    to sell. `title` names it when done (the fix's label otherwise); `position` places it
    (the packages register in an order of their own: profile 10, delivery 20, payment 30,
    product 40, batch 50).

    `lacking` answers for many farms at once (the ids of those that lack it), so a page
    listing farms asks each step once, not once per farm.
    """
    step = Step(name, title or missing.fix_label, missing, required_to_sell, position)
    _checks[name] = (step, lacking)


def _in_order() -> list[tuple[Step, Callable[[Sequence[Farm]], Collection[int]]]]:
    return sorted(_checks.values(), key=lambda check: check[0].position)


def checklists(farms: Sequence[Farm]) -> dict[int, Checklist]:
    """By farm id, every step of the checklist and whether the farm has done it."""
    if not farms:
        return {}
    lacking_by_step = [(step, set(lacking(farms))) for step, lacking in _in_order()]
    return {
        farm.id: Checklist([(step, farm.id not in lacking) for step, lacking in lacking_by_step])
        for farm in farms
    }


def missing_for_farms(farms: Sequence[Farm]) -> dict[int, list[Missing]]:
    """By farm id, what stops each farm taking an order, in the checklist's order."""
    found: dict[int, list[Missing]] = {farm.id: [] for farm in farms}
    if not farms:
        return found
    for step, lacking in _in_order():
        if step.required_to_sell:
            for farm_id in lacking(farms):
                found[farm_id].append(step.missing)
    return found


def missing_to_sell(farm: Farm) -> list[Missing]:
    """What stops the farm taking an order, in the checklist's order."""
    return missing_for_farms([farm])[farm.id]


def farms_without(farms: Sequence[Farm], farm_id_column, *conditions) -> set[int]:
    """The ids of `farms` that have no row (meeting `conditions`) in the table of
    `farm_id_column`: one statement for the whole list. The steps other packages register
    use it too."""
    ids = [farm.id for farm in farms]
    having = db.session.scalars(
        select(farm_id_column).where(farm_id_column.in_(ids), *conditions).distinct()
    )
    return set(ids) - set(having)


def _without_profile(farms: Sequence[Farm]) -> set[int]:
    """A farm buyers can trust says a few words about itself and shows a photo."""
    without_photo = farms_without(farms, FarmPhoto.farm_id)
    return {farm.id for farm in farms if not (farm.story or "").strip() or farm.id in without_photo}


def _without_bank_account(farms: Sequence[Farm]) -> set[int]:
    return farms_without(farms, BankAccount.farm_id)


register_check(
    "profile",
    Missing(
        _l("Tell buyers about your farm: a few words and a photo."),
        _l("Complete the profile"),
        "farms.edit_farm",
    ),
    _without_profile,
    title=_l("Farm profile"),
    required_to_sell=False,
    position=10,
)
register_check(
    "bank_account",
    Missing(
        _l("No way to be paid: add the bank account buyers transfer to."),
        _l("Add a bank account"),
        "farms.bank_account",
    ),
    _without_bank_account,
    title=_l("A way to be paid"),
    position=30,
)
