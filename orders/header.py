"""What the site header shows from the orders domain: the cart's size and, for the people
who run farms, how many orders wait for them. Registered as template globals by orders'
init_app (app/ imports no domain). A visitor or a buyer costs no statement for the badge,
and a visitor none for the cart: their pages stay the same for everyone and cacheable."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.roles import Role
from app.extensions import db
from orders.farm_counts import counts_for_user
from orders.models import CartItem

#: The roles whose header links to the farm's orders (an operator's account runs no farm).
SELLER_ROLES = frozenset({Role.FARMER, Role.COOP_MANAGER})


def runs_farms() -> bool:
    """True when the signed-in person's header is a seller's: read from the account alone."""
    return current_user.is_authenticated and current_user.role in SELLER_ROLES


def cart_count() -> int | None:
    """How many lines the signed-in person's cart holds; None for a visitor (whose cart
    lives in the session, and whose pages are shared)."""
    if not current_user.is_authenticated:
        return None
    if "header_cart_count" not in g:
        g.header_cart_count = db.session.scalar(
            select(func.count()).select_from(CartItem).where(CartItem.user_id == current_user.id)
        )
    return g.header_cart_count


def farm_action_count() -> int | None:
    """How many orders of the farms the person runs wait for the farm to act; None when the
    account runs no farm (no statement then)."""
    if not runs_farms():
        return None
    if "header_farm_actions" not in g:
        user = current_user._get_current_object()
        g.header_farm_actions = counts_for_user(user).needing_action
    return g.header_farm_actions
