"""Cart, checkout, per-farm orders, payments, delivery, order history."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the order and payout pages and `expire-orders`; on log-in, the guest's cart
    joins the account's."""
    from app.auth import hooks
    from orders import admin_views, cart, cli, payout_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(payout_views.bp)
    app.register_blueprint(admin_views.bp)
    app.cli.add_command(cli.expire_orders_command)
    hooks.on_login(app, cart.merge_guest_cart)
