"""A pomelo sold by weight (about 1.2 kg a piece at 45,000 ₫/kg) and its orders."""

from __future__ import annotations

from app.extensions import db
from orders import stripe_payments
from orders.models import DeliverySettings
from products import services as products
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product, make_ready_to_sell, variant_fields

PER_KG = 45000
PIECE_GRAMS = 1200
#: round(45,000 × 1,200 / 1000)
PIECE_PRICE = 54000
DELIVERY = 30000


def weighed_fields(**overrides) -> dict:
    fields = variant_fields(
        unit="piece",
        pack_kg=None,
        price_vnd="",
        weight_grams=str(PIECE_GRAMS),
        sold_by_weight=True,
        price_per_kg_vnd=str(PER_KG),
    )
    fields.update(overrides)
    return fields


def make_pomelo(farm=None, *, absorb_limit_vnd: int = 0):
    """A published pomelo variant sold by weight, from a farm that delivers everywhere."""
    farm = farm or deliver_everywhere(make_farm(name="Vườn bưởi Tân Triều"), fee_vnd=DELIVERY)
    owner = farm.members[0].user
    product = make_product(farm, name="Bưởi da xanh", prices=(), publish=False)
    variant = products.add_variant(product, owner, **weighed_fields())
    make_ready_to_sell(farm)
    products.publish_product(product, owner)
    farm_settings = db.session.scalars(
        db.select(DeliverySettings).where(DeliverySettings.farm_id == farm.id)
    ).one()
    farm_settings.underpayment_absorb_limit_vnd = absorb_limit_vnd
    db.session.flush()
    return variant


def pomelo_order(variant, quantity: int = 2, *, payment_method: str = "cod", **overrides):
    """Placed and committed, so that a refusal's rollback keeps it."""
    order = make_order(variant, quantity, payment_method=payment_method, **overrides)
    db.session.commit()
    return order


def pay_by_card(order) -> None:
    """The Stripe webhook's settlement of the order's checkout (SALE and COMMISSION)."""
    stripe_payments._paid(order.checkout)
    db.session.refresh(order)
