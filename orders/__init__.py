"""Cart, checkout, per-farm orders, payments, delivery, order history."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the order and payout pages, `expire-orders` and the expiry job; on log-in,
    the guest's cart joins the account's; give the header the cart's size and the farm's
    waiting orders; a proven phone or e-mail brings its guest orders to the account."""
    from app.auth import hooks

    # Some are imported for what importing does: farm_inbox and buy_again_views add routes,
    # jobs registers the worker's jobs.
    from orders import (  # noqa: F401
        admin_views,
        buy_again_views,
        carriers,
        cart,
        claims,
        cli,
        delivery_outlook,
        farm_counts,
        farm_inbox,
        group_buying,
        header,
        jobs,
        lookup_views,
        payout_views,
        transfer_views,
        views,
    )
    from orders.vouchers import redemption as voucher_redemption
    from orders.vouchers import views as voucher_views

    # Weighed goods: its farm routes (on views.bp) and what its templates read.
    from orders.weighed import amounts as weighed_amounts
    from orders.weighed import notice as weighed_notice
    from orders.weighed import views as weighed_views  # noqa: F401

    app.add_template_global(weighed_amounts.settlement, "weight_settlement")
    app.add_template_global(weighed_amounts.final_line_vnd, "weighed_line_vnd")
    app.add_template_global(weighed_notice.difference_text, "weight_difference_text")
    app.register_blueprint(views.bp)
    app.register_blueprint(payout_views.bp)
    app.register_blueprint(transfer_views.bp)
    app.register_blueprint(lookup_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(voucher_views.bp)
    # The buyer's order page names each order's voucher (orders.vouchers.redemption).
    app.add_template_global(voucher_redemption.redemptions_of, "voucher_redemptions")
    group_buying.init_app(app)
    # Product pages (below orders) show the fee and days to the buyer's province through it.
    app.add_template_global(delivery_outlook.delivery_outlook)
    app.add_template_global(delivery_outlook.delivery_days)
    app.add_template_global(carriers.order_tracking)
    app.cli.add_command(cli.expire_orders_command)
    app.cli.add_command(cli.audit_ledger_command)
    hooks.on_login(app, cart.merge_guest_cart)
    # The header (app/templates/base.html) and the farm's dashboard (products) show these.
    app.add_template_global(header.cart_count)
    app.add_template_global(header.farm_action_count)
    app.add_template_global(farm_counts.order_counts)
    hooks.on_contact_verified(app, claims.attach_guest_checkouts)
    # Reviews of delivered lines (orders/reviews/): their pages and the product page's part.
    from orders import reviews

    reviews.init_app(app)
