"""Demo orders in every state and with each payment method the shop offers, placed and moved
through the same services a buyer and a farm use. Loaded only while the demo has no orders."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from orders import services
from orders.models import Order
from orders.states import OrderStatus
from products.models import Product
from products.seasons import availability
from traceability import allocation

#: Sold all year, so the demo can always place an order for it.
YEAR_ROUND = "che-tan-cuong-dac-biet"

#: (buyer, product slug, quantity, payment method, the steps the farm then takes)
DEMO_ORDERS = [
    ("minhanh@nongsan.demo", "buoi-thanh-hong", 2, "bank_transfer", []),
    ("minhanh@nongsan.demo", "che-tan-cuong-dac-biet", 1, "bank_transfer", ["paid"]),
    ("0987000202", "cam-sanh-ha-giang", 5, "cod", ["packed"]),
    ("0987000202", "buoi-thanh-hong", 4, "bank_transfer", ["paid", "packed", "shipped"]),
    (
        "minhanh@nongsan.demo",
        "che-moc-cau-tan-cuong-hop-qua",
        1,
        "cod",
        ["packed", "shipped", "delivered", "cash", "completed"],
    ),
    ("0987000202", "cam-sanh-ha-giang", 3, "cod", ["cancelled"]),
    (
        "minhanh@nongsan.demo",
        "che-tan-cuong-dac-biet",
        2,
        "bank_transfer",
        ["paid", "cancelled", "refunded"],
    ),
]


def _contact(buyer: User) -> services.Contact:
    address = buyer.default_address
    return services.Contact(
        name=address.recipient_name,
        phone=address.phone,
        email=buyer.email,
        province_code=address.province_code,
        commune=address.commune,
        street=address.street,
    )


def _advance(order: Order, farmer: User, steps: list[str]) -> None:
    for step in steps:
        if step == "paid":
            services.confirm_transfer(order, farmer)
        elif step == "packed":
            _pack_from_oldest_batches(order, farmer)
        elif step == "shipped":
            services.ship_order(order, farmer, carrier="ghn", tracking_number="GHN0425")
        elif step == "delivered":
            services.mark_delivered(order, farmer)
        elif step == "cash":
            services.record_cash_collected(order, farmer)
        elif step == "completed":
            services.move_order(order, OrderStatus.COMPLETED, actor=farmer)
        elif step == "refunded":
            services.record_refund(order, farmer, "Đã chuyển trả tiền cho khách qua ngân hàng")
        elif step == "cancelled":
            services.cancel_by_farm(order, farmer, "Hết hàng loại 1, đã gọi điện báo khách")


def _pack_from_oldest_batches(order: Order, farmer: User) -> None:
    """Pack as a farm would: each line from the batch of its product harvested first."""
    offered = allocation.choices_for(order)
    chosen = {
        line.id: [(str(offered[line.id][0].id), str(line.quantity))]
        for line in order.lines
        if offered[line.id]
    }
    allocation.pack_with_batches(order, farmer, chosen)


def seed_demo_orders(people: dict[str, User]) -> None:
    if db.session.scalar(select(Order.id).limit(1)) is not None:
        return
    today = local_today()
    for identifier, slug, quantity, method, steps in DEMO_ORDERS:
        product = db.session.scalar(select(Product).where(Product.slug == slug))
        if not availability(product, today).can_order:
            # Out of season on the day the demo is loaded: the tea sells all year.
            product = db.session.scalar(select(Product).where(Product.slug == YEAR_ROUND))
        variant = product.variants[0]
        checkout = services.place_order(
            {variant.id: max(quantity, variant.min_order_qty)},
            buyer=people[identifier],
            contact=_contact(people[identifier]),
            payment_method=method,
            shown_prices={variant.id: variant.price_vnd},
            today=today,
            language=people[identifier].preferred_language,
        )
        _advance(checkout.orders[0], product.farm.members[0].user, steps)
    db.session.flush()
