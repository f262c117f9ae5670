"""Products, OCOP certification, variants (units, prices, stock), images, search."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the storefront and product pages, fill the home page, and add "first product
    on sale" to a new farm's setup checklist."""
    from app.main import on_home
    from products import setup_step
    from products.views import bp, storefront

    app.register_blueprint(bp)
    setup_step.register()
    on_home(app, storefront.home_content)
