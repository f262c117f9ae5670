"""Buyers' reviews of delivered order lines: stars, words, photos; the farm's reply; the
operators' hiding; the ratings on product and farm cards (orders.reviews.ratings)."""

from __future__ import annotations

from flask import Flask, render_template
from markupsafe import Markup


def product_reviews_section(product) -> Markup:
    """The product page's reviews (products sit below orders and reach this through the
    template global init_app registers): the newest few, their farm replies, a link to all."""
    from orders.reviews import queries

    reviews = queries.newest_visible(product.id) if product.rating_count else []
    return Markup(
        render_template("reviews/_product_reviews.html", product=product, reviews=reviews)
    )


def line_reviews(orders) -> dict:
    """By order line id, the review written of it, for a buyer's order page."""
    from orders.reviews import queries

    return queries.reviews_of_lines(line.id for order in orders for line in order.lines)


def init_app(app: Flask) -> None:
    """Register the review pages and the template globals the product and order pages use."""
    from orders.reviews import models, views  # noqa: F401  (models: the tables exist)

    app.register_blueprint(views.bp)
    app.add_template_global(product_reviews_section)
    app.add_template_global(line_reviews)
