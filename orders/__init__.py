"""Cart, checkout, per-farm orders, payments, delivery, order history."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the order and payout pages, `expire-orders` and the expiry job; on log-in,
    the guest's cart joins the account's."""
    from app.auth import hooks
    from orders import cart, cli, jobs, payout_views, transfer_views, views  # noqa: F401 (jobs)

    app.register_blueprint(views.bp)
    app.register_blueprint(payout_views.bp)
    app.register_blueprint(transfer_views.bp)
    app.cli.add_command(cli.expire_orders_command)
    hooks.on_login(app, cart.merge_guest_cart)
