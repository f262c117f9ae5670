"""`seed-demo` shows reviews: the delivered demo order is reviewed and answered, once."""

from sqlalchemy import select

from app.extensions import db
from orders.reviews.models import Review
from products.models import Product


def test_the_demo_reviews_its_delivered_order_once(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    app.test_cli_runner().invoke(args=["seed-demo"])

    reviews = db.session.scalars(select(Review)).all()
    assert len(reviews) == 1
    review = reviews[0]
    assert review.reply_text and review.batch_id is not None
    product = db.session.get(Product, review.product_id)
    assert (product.rating_count, product.rating_sum) == (1, 5)
