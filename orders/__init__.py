"""Cart, checkout, per-farm orders, payments, delivery, order history."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the order and payout pages and `expire-orders`; on log-in, the guest's cart
    joins the account's."""
    from app.auth import hooks
    from orders import (  # noqa: F401 (buy_again_views adds its routes to views.bp)
        buy_again_views,
        carriers,
        cart,
        cli,
        delivery_outlook,
        lookup_views,
        payout_views,
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(payout_views.bp)
    app.register_blueprint(lookup_views.bp)
    # Product pages (below orders) show the fee and days to the buyer's province through it.
    app.add_template_global(delivery_outlook.delivery_outlook)
    app.add_template_global(delivery_outlook.delivery_days)
    app.add_template_global(carriers.order_tracking)
    app.cli.add_command(cli.expire_orders_command)
    hooks.on_login(app, cart.merge_guest_cart)
