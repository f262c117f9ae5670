"""Group-offer factories: a farm's offer on a fresh variant, and a buyer joining it."""

from __future__ import annotations

from datetime import timedelta

from app.clock import local_today
from app.db import utcnow
from orders.group_buying import services
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product

#: The variant's usual price and the group's, in đồng.
USUAL_PRICE = 120000
GROUP_PRICE = 90000
#: Delivery to Hà Nội for the factories' farms (deliver_everywhere's flat fee).
DELIVERY_FEE = 30000


def make_offer(*, goal="buyers", min_count=3, hours=24, stock=40, max_boxes=None, farm=None):
    farm = farm or deliver_everywhere(make_farm())
    variant = make_product(farm, prices=(USUAL_PRICE,)).variants[0]
    variant.stock = stock
    return services.open_offer(
        variant,
        farm.members[0].user,
        group_price_vnd=str(GROUP_PRICE),
        goal=goal,
        min_count=str(min_count),
        max_boxes=max_boxes,
        deadline=utcnow() + timedelta(hours=hours),
        now=utcnow(),
    )


def buyer_contact(n: int):
    """The n-th buyer's contact: a phone of their own."""
    return hanoi_contact(name=f"Người mua {n}", phone=f"09120000{n:02d}", email=f"b{n}@example.vn")


def join(offer, n: int = 1, *, quantity: int = 1, payment_method="cod", buyer=None, **kw):
    """Buyer n joins with `quantity` boxes at the group price, as reviewed."""
    return services.join_offer(
        offer,
        quantity,
        buyer=buyer,
        contact=kw.pop("contact", None) or buyer_contact(n),
        payment_method=payment_method,
        shown_prices={offer.variant_id: offer.group_price_vnd},
        today=local_today(),
        reviewed_totals={offer.farm_id: offer.group_price_vnd * quantity + DELIVERY_FEE},
        **kw,
    ).orders[0]
