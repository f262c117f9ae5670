"""Products, OCOP certification, variants (units, prices, stock), images, search."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the storefront and product pages, and fill the home page."""
    from app.main import on_home
    from products.views import bp, storefront

    app.register_blueprint(bp)
    on_home(app, storefront.home_content)
