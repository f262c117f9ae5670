"""Review factories: a buyer's delivered order line, a photo's bytes, a written review."""

from __future__ import annotations

import io

from PIL import Image

from app.auth.roles import Role
from app.extensions import db
from orders import services as order_services
from orders.reviews import services
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_checkout
from tests.products.factories import make_product


def photo_bytes(colour=(40, 140, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def deliver(order) -> None:
    """The farm packs, ships and delivers the order."""
    owner = order.farm.members[0].user
    order_services.pack_order(order, owner)
    order_services.ship_order(order, owner, carrier="ghtk", tracking_number="S1")
    order_services.mark_delivered(order, owner)


def delivered_line(product=None, *, buyer=None, quantity: int = 1, delivered: bool = True):
    """An order line of `product` (a new farm's lychee by default) that reached its buyer."""
    if product is None:
        product = make_product(deliver_everywhere(make_farm()), name="Vải thiều Thanh Hà")
    buyer = buyer or make_user(Role.BUYER, full_name="Lê Minh Anh")
    order = make_checkout([product.variants[0]], quantity, buyer=buyer).orders[0]
    if delivered:
        deliver(order)
    db.session.flush()
    return order.lines[0]


def write(line, stars: int = 5, text: str = "Vải ngọt, quả to.", photos=()):
    author = line.order.checkout.buyer
    return services.write_review(line, author, stars=stars, text=text, photos=list(photos))
