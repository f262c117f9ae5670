"""The cart: in the session for guests, in the database for signed-in buyers, merged into
the account when a guest logs in. A cart is a mapping of variant id to quantity."""

from __future__ import annotations

from collections.abc import MutableMapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.auth.models import User
from app.clock import local_today
from app.errors import DomainError
from app.extensions import db
from orders.models import CartItem
from orders.services import MAX_QUANTITY, check_available
from products.models import ProductStatus, Variant
from products.sale_stop import ensure_on_sale

SESSION_KEY = "cart"
#: A cart holds at most this many different variants (a guard against abuse of the session).
MAX_LINES = 50


def _check(variant_id: int, quantity: int) -> Variant:
    """On sale, a sensible quantity, and no more than is left (the buyer reads how many)."""
    variant = db.session.get(Variant, variant_id)
    if variant is None or variant.product.status != ProductStatus.PUBLISHED:
        raise DomainError(_l("This product is not on sale."))
    ensure_on_sale(variant.product)
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise DomainError(_l("Choose a quantity between 1 and %(n)d.", n=MAX_QUANTITY))
    check_available(variant, quantity, local_today())
    return variant


def read_cart(session: MutableMapping, user: User | None) -> dict[int, int]:
    if user is not None and user.is_authenticated:
        items = db.session.scalars(select(CartItem).where(CartItem.user_id == user.id))
        return {item.variant_id: item.quantity for item in items}
    raw = session.get(SESSION_KEY) or {}
    return {int(k): int(v) for k, v in raw.items()}


def set_quantity(
    session: MutableMapping, user: User | None, variant_id: int, quantity: int, *, add: bool = False
) -> None:
    """Put a quantity of a variant in the cart (or add to what is there); 0 removes it."""
    current = read_cart(session, user)
    if add:
        if quantity <= 0:
            raise DomainError(_l("Choose a quantity between 1 and %(n)d.", n=MAX_QUANTITY))
        quantity += current.get(variant_id, 0)
    if quantity <= 0:
        remove(session, user, variant_id)
        return
    _check(variant_id, quantity)
    if variant_id not in current and len(current) >= MAX_LINES:
        raise DomainError(_l("Your cart is full."))
    if user is not None and user.is_authenticated:
        item = db.session.scalar(
            select(CartItem).where(CartItem.user_id == user.id, CartItem.variant_id == variant_id)
        )
        if item is None:
            db.session.add(CartItem(user_id=user.id, variant_id=variant_id, quantity=quantity))
        else:
            item.quantity = quantity
        db.session.flush()
    else:
        raw = dict(session.get(SESSION_KEY) or {})
        raw[str(variant_id)] = quantity
        session[SESSION_KEY] = raw


def update(session: MutableMapping, user: User | None, quantities: dict[int, int]) -> None:
    """Set several lines at once (0 or less removes one): all of them, or none if one is
    refused (a guest's cart lives in the session, which no rollback restores). Lines whose
    quantity stays as it is are not checked again: the cart page already says what is wrong."""
    current = read_cart(session, user)
    changed = {v: q for v, q in quantities.items() if v in current and q != current[v]}
    for variant_id, quantity in changed.items():
        if quantity > 0:
            _check(variant_id, quantity)
    for variant_id, quantity in changed.items():
        set_quantity(session, user, variant_id, quantity)


def remove(session: MutableMapping, user: User | None, variant_id: int) -> None:
    if user is not None and user.is_authenticated:
        db.session.execute(
            delete(CartItem).where(CartItem.user_id == user.id, CartItem.variant_id == variant_id)
        )
    else:
        raw = dict(session.get(SESSION_KEY) or {})
        raw.pop(str(variant_id), None)
        session[SESSION_KEY] = raw


def empty(session: MutableMapping, user: User | None) -> None:
    if user is not None and user.is_authenticated:
        db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))
    session.pop(SESSION_KEY, None)


def merge_guest_cart(session: MutableMapping, user: User) -> None:
    """On log-in, what the guest put in the cart joins the account's cart."""
    guest = {int(k): int(v) for k, v in (session.pop(SESSION_KEY, None) or {}).items()}
    for variant_id, quantity in guest.items():
        try:
            set_quantity(session, user, variant_id, quantity, add=True)
        except DomainError:
            continue  # sold out or withdrawn since: the guest's line is dropped
