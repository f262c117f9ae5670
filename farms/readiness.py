"""Whether a farm can take an order: what must be set before its products go on sale.

A farm needs a way to hand the goods over (delivery zones or pickup: the orders domain
knows those) and a way to be paid (its bank account: bank transfer is the checkout's default
and payouts go there). Domains that own a requirement register a check here, since farms and
products may not import orders (dependencies point orders → products → farms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from farms.models import Farm


@dataclass(frozen=True)
class Missing:
    """One thing the farm still has to set, and where (an endpoint taking farm_id)."""

    message: str
    fix_label: str
    endpoint: str


#: name -> check; a check returns what is missing for the farm, or None.
_checks: dict[str, Callable[[Farm], Missing | None]] = {}


def register_check(name: str, check: Callable[[Farm], Missing | None]) -> None:
    """Add (or replace, by name) a requirement a farm must meet to sell."""
    _checks[name] = check


def missing_to_sell(farm: Farm) -> list[Missing]:
    """What stops the farm taking an order, in the order the checks were registered."""
    return [missing for check in _checks.values() if (missing := check(farm)) is not None]


def _bank_account(farm: Farm) -> Missing | None:
    if farm.bank_account is not None:
        return None
    return Missing(
        _l("No way to be paid: add the bank account buyers transfer to."),
        _l("Add a bank account"),
        "farms.bank_account",
    )


register_check("bank_account", _bank_account)
