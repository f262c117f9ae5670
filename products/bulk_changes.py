"""Stock and prices of many variants of one farm at once, all or nothing: the bulk editor's
change (services.set_stock_and_price) per variant, with an optional compare-and-set so a
program that read the values a while ago cannot overwrite a sale or a colleague's edit."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from farms.models import Farm
from farms.permissions import ensure_can_manage
from products import services
from products.models import Product, Variant

#: The most variants one request may change: a large farm's whole list, and a bounded
#: transaction.
MAX_CHANGES = 500


@dataclass(frozen=True)
class VariantChange:
    """New stock and/or price of one variant; `expected_*` are what the caller last read."""

    variant_id: int
    stock: int | None = None
    price_vnd: int | None = None
    expected_stock: int | None = None
    expected_price_vnd: int | None = None


@dataclass(frozen=True)
class ItemError:
    #: Position of the change in the list the caller sent, from 0.
    index: int
    field: str
    message: str


class ChangesRefused(DomainError):
    """Some changes were refused, each listed in `errors`; nothing was changed."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__(_l("Nothing was saved: correct the refused items."))
        self.errors = errors


class ChangedMeanwhile(Exception):
    """A variant's stock or price is no longer what the caller expected; nothing was
    changed. Not a DomainError: no value the caller sent is wrong, they must read again."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__("changed meanwhile")
        self.errors = errors


def _locked_variants(farm: Farm, ids: list[int]) -> dict[int, Variant]:
    """The farm's variants among `ids`, locked until the transaction ends (PostgreSQL), so
    the compare and the set see the same row."""
    rows = db.session.scalars(
        select(Variant)
        .join(Variant.product)
        .where(Product.farm_id == farm.id, Variant.id.in_(ids))
        .with_for_update(of=Variant)
        .execution_options(populate_existing=True)
    )
    return {variant.id: variant for variant in rows}


def _unknown_or_repeated(changes: list[VariantChange], found: dict[int, Variant]):
    seen: dict[int, int] = {}
    for index, change in enumerate(changes):
        if change.variant_id not in found:
            yield ItemError(
                index,
                "variant_id",
                str(
                    _l(
                        "Unknown variant: %(id)s is not one of this farm's variants.",
                        id=change.variant_id,
                    )
                ),
            )
        elif change.variant_id in seen:
            yield ItemError(
                index,
                "variant_id",
                str(_l("This variant is already item %(index)d.", index=seen[change.variant_id])),
            )
        else:
            seen[change.variant_id] = index


def _stale(changes: list[VariantChange], found: dict[int, Variant]):
    for index, change in enumerate(changes):
        variant = found[change.variant_id]
        if change.expected_stock is not None and change.expected_stock != variant.stock:
            yield ItemError(
                index,
                "expected_stock",
                str(_l("The stock changed meanwhile: it is %(n)d now.", n=variant.stock)),
            )
        if change.expected_price_vnd is not None and change.expected_price_vnd != variant.price_vnd:
            yield ItemError(
                index,
                "expected_price_vnd",
                str(_l("The price changed meanwhile: it is %(n)d đồng now.", n=variant.price_vnd)),
            )


def change_stock_and_prices(farm: Farm, actor: User, changes: list[VariantChange]) -> list[Variant]:
    """Apply every change through set_stock_and_price, or none of them.

    Raises ChangesRefused (an unknown or repeated variant, a value a service refuses: every
    one listed) or ChangedMeanwhile (an `expected_*` that no longer holds)."""
    ensure_can_manage(actor, farm)
    if len(changes) > MAX_CHANGES:
        raise DomainError(
            _l("Change at most %(n)d variants at once.", n=MAX_CHANGES), field="items"
        )
    with db.session.begin_nested():
        found = _locked_variants(farm, [change.variant_id for change in changes])
        if errors := list(_unknown_or_repeated(changes, found)):
            raise ChangesRefused(errors)
        if errors := list(_stale(changes, found)):
            raise ChangedMeanwhile(errors)
        errors = []
        for index, change in enumerate(changes):
            variant = found[change.variant_id]
            try:
                services.set_stock_and_price(
                    variant,
                    actor,
                    stock=variant.stock if change.stock is None else change.stock,
                    price_vnd=variant.price_vnd if change.price_vnd is None else change.price_vnd,
                )
            except PermissionDenied:
                raise
            except DomainError as error:
                errors.append(ItemError(index, error.field or "variant_id", str(error.message)))
        if errors:
            # Leaving the block with an exception rolls the savepoint back.
            raise ChangesRefused(errors)
    return [found[change.variant_id] for change in changes]
