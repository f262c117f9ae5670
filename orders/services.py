"""Placing orders and moving them through their states.

place_order() turns a cart into one checkout with one order per farm, in the caller's single
transaction: it re-reads prices, takes the stock with conditional updates and refuses the
whole checkout when a price moved or a box is gone. move_order() is the only function that
changes an order's state; it records every change as an event.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.identifiers import InvalidIdentifier, normalize_email, normalize_phone
from app.auth.models import User
from app.db import utcnow
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.i18n import format_vnd
from app.validation import check_province, clean_text
from farms.models import Farm
from farms.permissions import ensure_can_manage
from orders.delivery import delivery_fee
from orders.models import Checkout, DeliverySettings, LedgerEntry, Order, OrderEvent, OrderLine
from orders.states import (
    BUYER_MAY_CANCEL,
    HOLDS_STOCK,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    can_move,
    status_label,
)
from orders.stock import (
    claim_release,
    give_back_preorder_capacity,
    give_back_stock,
    take_preorder_capacity,
    take_stock,
)
from products.models import Product, ProductStatus, Variant
from products.seasons import SeasonState, availability
from products.units import unit_label

MAX_QUANTITY = 1000
#: How long a bank transfer or a card payment may take before the boxes go back on sale.
PAY_WITHIN = {
    PaymentMethod.BANK_TRANSFER: timedelta(hours=24),
    PaymentMethod.STRIPE: timedelta(hours=1),
}


class SoldOut(DomainError):
    """Another buyer took the last units first."""


class PricesChanged(DomainError):
    """A price moved since the buyer saw the cart; they confirm again with the new ones."""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str | None
    province_code: str
    commune: str
    street: str


@dataclass
class FarmQuote:
    farm: Farm
    lines: list[tuple[Variant, int]] = field(default_factory=list)
    subtotal_vnd: int = 0
    weight_grams: int = 0
    delivery_fee_vnd: int = 0
    delivery_method: str = "delivery"

    @property
    def total_vnd(self) -> int:
        return self.subtotal_vnd + self.delivery_fee_vnd


def _load_variants(variant_ids: list[int]) -> dict[int, Variant]:
    variants = db.session.scalars(
        select(Variant)
        .where(Variant.id.in_(variant_ids))
        .options(selectinload(Variant.product).selectinload(Product.farm))
    ).all()
    return {v.id: v for v in variants}


def _check_quantity(variant: Variant, quantity: int) -> None:
    name = variant.product.name
    if not isinstance(quantity, int) or quantity < 1 or quantity > MAX_QUANTITY:
        raise DomainError(_l("Choose between 1 and %(n)d of %(name)s.", n=MAX_QUANTITY, name=name))
    if quantity < variant.min_order_qty:
        raise DomainError(_l("%(name)s: order at least %(n)d.", name=name, n=variant.min_order_qty))


def check_lines(cart: dict[int, int], today: date) -> dict[int, FarmQuote]:
    """The cart's lines grouped by farm with their subtotals, or what stops them being
    ordered today (no longer on sale, out of season, a quantity out of bounds)."""
    if not cart:
        raise DomainError(_l("Your cart is empty."))
    variants = _load_variants(list(cart))
    by_farm: dict[int, FarmQuote] = {}
    for variant_id, quantity in cart.items():
        variant = variants.get(variant_id)
        product = variant.product if variant else None
        if (
            product is None
            or product.status != ProductStatus.PUBLISHED
            or product.farm.is_suspended
        ):
            raise DomainError(_l("A product in your cart is no longer on sale."))
        if not availability(product, today).can_order:
            raise DomainError(_l("%(name)s is out of season.", name=product.name))
        _check_quantity(variant, quantity)
        farm_quote = by_farm.setdefault(product.farm_id, FarmQuote(farm=product.farm))
        farm_quote.lines.append((variant, quantity))
        farm_quote.subtotal_vnd += variant.price_vnd * quantity
        farm_quote.weight_grams += variant.weight_grams * quantity
    return by_farm


def quote(
    cart: dict[int, int],
    *,
    province_code: str,
    today: date,
    delivery_methods: dict[int, str] | None = None,
) -> list[FarmQuote]:
    """Group the cart by farm with each farm's subtotal and delivery fee, or say what is wrong."""
    by_farm = check_lines(cart, today)
    settings = {
        s.farm_id: s
        for s in db.session.scalars(
            select(DeliverySettings)
            .where(DeliverySettings.farm_id.in_(list(by_farm)))
            .options(selectinload(DeliverySettings.zones))
        )
    }
    for farm_id, farm_quote in by_farm.items():
        method = (delivery_methods or {}).get(farm_id, "delivery")
        farm_settings = settings.get(farm_id)
        try:
            farm_quote.delivery_fee_vnd = delivery_fee(
                farm_settings,
                method=method,
                province_code=province_code,
                subtotal_vnd=farm_quote.subtotal_vnd,
                weight_grams=farm_quote.weight_grams,
            )
        except DomainError as error:
            raise DomainError(f"{farm_quote.farm.name}: {error.message}") from error
        farm_quote.delivery_method = method
        minimum = farm_settings.min_order_vnd if farm_settings else 0
        if farm_quote.subtotal_vnd < minimum:
            raise DomainError(
                _l(
                    "%(farm)s takes orders from %(amount)s.",
                    farm=farm_quote.farm.name,
                    amount=format_vnd(minimum),
                )
            )
    return list(by_farm.values())


def clean_contact(contact: Contact) -> Contact:
    try:
        phone = normalize_phone(contact.phone)
    except InvalidIdentifier as exc:
        raise DomainError(
            _l("Enter a Vietnamese mobile number, e.g. 0912 345 678."), field="phone"
        ) from exc
    email = None
    if contact.email and contact.email.strip():
        try:
            email = normalize_email(contact.email)
        except InvalidIdentifier as exc:
            raise DomainError(_l("Enter a valid e-mail address."), field="email") from exc
    return Contact(
        name=clean_text(contact.name, "name", 120, _l("your name")),
        phone=phone,
        email=email,
        province_code=check_province(contact.province_code),
        commune=clean_text(contact.commune, "commune", 120, _l("the commune or ward")),
        street=clean_text(contact.street, "street", 255, _l("the street and house number")),
    )


def _take(variant: Variant, quantity: int, today: date) -> date | None:
    """Take stock (or pre-order capacity); the pre-order's shipping date, if it is one."""
    product = variant.product
    state = availability(product, today)
    if state.state == SeasonState.PREORDER:
        if not take_preorder_capacity(product.id, quantity):
            raise SoldOut(_l("%(name)s: the pre-orders are full.", name=product.name))
        return state.preorder_ships_on
    if not take_stock(variant.id, quantity):
        raise SoldOut(
            _l(
                "Sold out: %(name)s (%(unit)s) has fewer units left than you asked for.",
                name=product.name,
                unit=unit_label(variant),
            )
        )
    return None


def place_order(
    cart: dict[int, int],
    *,
    buyer: User | None,
    contact: Contact,
    payment_method: str,
    shown_prices: dict[int, int],
    today: date,
    language: str = "vi",
    delivery_methods: dict[int, str] | None = None,
) -> Checkout:
    """One checkout, one order per farm; the caller commits, or rolls back on any error."""
    if payment_method not in set(PaymentMethod):
        raise DomainError(_l("Choose how to pay."), field="payment_method")
    contact = clean_contact(contact)
    quotes = quote(
        cart, province_code=contact.province_code, today=today, delivery_methods=delivery_methods
    )
    changed = [
        variant.product.name
        for farm_quote in quotes
        for variant, _ in farm_quote.lines
        if shown_prices.get(variant.id) != variant.price_vnd
    ]
    if changed:
        raise PricesChanged(
            _l(
                "Prices changed since you looked: %(names)s. "
                "Check the new total and confirm again.",
                names=", ".join(changed),
            )
        )

    checkout = Checkout(
        buyer=buyer,
        access_token=secrets.token_urlsafe(32),
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email or (buyer.email if buyer else None),
        province_code=contact.province_code,
        commune=contact.commune,
        street=contact.street,
        payment_method=payment_method,
        language=language,
    )
    db.session.add(checkout)
    now = utcnow()
    for farm_quote in quotes:
        order = Order(
            number=f"tmp-{uuid.uuid4().hex[:16]}",
            farm=farm_quote.farm,
            payment_method=payment_method,
            delivery_method=farm_quote.delivery_method,
            subtotal_vnd=farm_quote.subtotal_vnd,
            delivery_fee_vnd=farm_quote.delivery_fee_vnd,
            total_vnd=farm_quote.total_vnd,
        )
        for variant, quantity in farm_quote.lines:
            order.lines.append(
                OrderLine(
                    variant=variant,
                    product_name=variant.product.name,
                    unit_label=unit_label(variant),
                    unit_price_vnd=variant.price_vnd,
                    quantity=quantity,
                    line_total_vnd=variant.price_vnd * quantity,
                    weight_grams=variant.weight_grams * quantity,
                    ships_on=_take(variant, quantity, today),
                )
            )
        if payment_method == PaymentMethod.CASH_ON_DELIVERY:
            order.status = OrderStatus.CONFIRMED.value
        else:
            order.status = OrderStatus.AWAITING_PAYMENT.value
            order.pay_before = now + PAY_WITHIN[PaymentMethod(payment_method)]
        order.events.append(
            OrderEvent(kind="status", to_state=order.status, actor=buyer, note="placed")
        )
        checkout.orders.append(order)
    db.session.flush()
    for order in checkout.orders:
        order.number = f"NS{order.id:06d}"
    db.session.flush()
    return checkout


# Moving orders ---------------------------------------------------------------------------


def _release_stock(order: Order) -> None:
    """Give the order's units back exactly once, whoever asks (cancel, expiry) and when."""
    if not claim_release(order.id):
        return
    for line in order.lines:
        if line.variant_id is None:
            continue
        if line.ships_on is not None:
            give_back_preorder_capacity(line.variant.product_id, line.quantity)
        else:
            give_back_stock(line.variant_id, line.quantity)


def move_order(order: Order, target: str, *, actor: User | None, note: str = "") -> None:
    """The only way an order changes state: refuses what the state machine does not allow."""
    if not can_move(order.status, target):
        raise DomainError(
            _l(
                "This order cannot go from “%(from)s” to “%(to)s”.",
                **{"from": status_label(order.status), "to": status_label(target)},
            )
        )
    if target == OrderStatus.CANCELLED and order.status in HOLDS_STOCK:
        _release_stock(order)
    order.events.append(
        OrderEvent(kind="status", from_state=order.status, to_state=target, actor=actor, note=note)
    )
    order.status = target
    db.session.flush()


def set_payment_status(order: Order, target: str, *, actor: User | None, note: str = "") -> None:
    order.events.append(
        OrderEvent(
            kind="payment", from_state=order.payment_status, to_state=target, actor=actor, note=note
        )
    )
    order.payment_status = target
    db.session.flush()


def confirm_transfer(order: Order, actor: User) -> None:
    """The farm saw the money on its account: paid, and the order is confirmed."""
    ensure_can_manage(actor, order.farm)
    if order.payment_status == PaymentStatus.PAID:
        raise DomainError(_l("This order is already paid."))
    set_payment_status(order, PaymentStatus.PAID, actor=actor, note="transfer confirmed by farm")
    if order.status == OrderStatus.AWAITING_PAYMENT:
        move_order(order, OrderStatus.CONFIRMED, actor=actor)


def cancel_by_buyer(order: Order, buyer: User | None, *, access_token: str | None = None) -> None:
    """The buyer (or the guest holding the checkout's token) cancels before packing."""
    owns = (buyer is not None and order.checkout.buyer_id == buyer.id) or (
        access_token is not None
        # As bytes: compare_digest refuses str with non-ASCII characters (a 500 otherwise).
        and secrets.compare_digest(access_token.encode(), order.checkout.access_token.encode())
    )
    if not owns:
        raise PermissionDenied()
    if order.status not in BUYER_MAY_CANCEL:
        raise DomainError(_l("The farm has already packed this order; contact the farm."))
    move_order(order, OrderStatus.CANCELLED, actor=buyer, note="cancelled by buyer")


def cancel_by_farm(order: Order, actor: User, reason: str) -> None:
    ensure_can_manage(actor, order.farm)
    reason = clean_text(reason, "reason", 500, _l("the reason"))
    order.cancel_reason = reason
    move_order(order, OrderStatus.CANCELLED, actor=actor, note=reason)


def expire_unpaid_orders(now: datetime) -> list[Order]:
    """Cancel unpaid orders whose time to pay has passed; their stock goes back on sale."""
    overdue = db.session.scalars(
        select(Order)
        .where(
            Order.status == OrderStatus.AWAITING_PAYMENT,
            Order.payment_status == PaymentStatus.UNPAID,
            Order.pay_before < now,
        )
        .options(selectinload(Order.lines))
    ).all()
    for order in overdue:
        move_order(order, OrderStatus.CANCELLED, actor=None, note="payment time ran out")
    return list(overdue)


def orders_for_farm(farm: Farm, actor: User, statuses: list[str] | None = None) -> list[Order]:
    ensure_can_manage(actor, farm)
    statement = select(Order).where(Order.farm_id == farm.id).order_by(Order.created_at.desc())
    if statuses:
        statement = statement.where(Order.status.in_(statuses))
    return list(
        db.session.scalars(
            statement.options(selectinload(Order.lines), selectinload(Order.checkout))
        )
    )


@dataclass
class CartGroup:
    """One farm's part of the cart as the cart page shows it."""

    farm: Farm
    lines: list[tuple[Variant, int]]
    quote: FarmQuote | None = None
    problem: str | None = None

    @property
    def subtotal_vnd(self) -> int:
        return sum(variant.price_vnd * quantity for variant, quantity in self.lines)


def describe_cart(
    cart: dict[int, int], *, province_code: str | None, today: date
) -> list[CartGroup]:
    """Each farm's lines with its totals, or the reason it cannot be ordered as it is.

    Without a province there is no delivery fee to show: groups then carry no quote.
    """
    variants = _load_variants(list(cart))
    groups: dict[int, CartGroup] = {}
    for variant_id, quantity in cart.items():
        variant = variants.get(variant_id)
        if variant is None:
            continue
        group = groups.setdefault(variant.product.farm_id, CartGroup(variant.product.farm, []))
        group.lines.append((variant, quantity))
    for group in groups.values():
        farm_cart = {variant.id: quantity for variant, quantity in group.lines}
        try:
            if province_code:
                group.quote = quote(farm_cart, province_code=province_code, today=today)[0]
            else:  # no fee to show yet, but what stops an order still shows
                check_lines(farm_cart, today)
        except DomainError as error:
            group.problem = str(error.message)
    return list(groups.values())


# The farm's fulfilment steps --------------------------------------------------------------


def get_order_for_farm(actor: User, order_id: int) -> Order:
    """An order the actor's farm may work on; 404 when unknown, 403 when someone else's."""
    order = db.get_or_404(Order, order_id)
    ensure_can_manage(actor, order.farm)
    return order


def pack_order(order: Order, actor: User) -> None:
    ensure_can_manage(actor, order.farm)
    move_order(order, OrderStatus.PACKED, actor=actor)


def ship_order(order: Order, actor: User, *, carrier: str, tracking_number: str) -> None:
    ensure_can_manage(actor, order.farm)
    order.carrier = clean_text(carrier, "carrier", 80, _l("the carrier"))
    order.tracking_number = (
        clean_text(
            tracking_number, "tracking_number", 80, _l("the tracking number"), required=False
        )
        or None
    )
    move_order(
        order,
        OrderStatus.SHIPPED,
        actor=actor,
        note=" ".join(filter(None, [order.carrier, order.tracking_number])),
    )


def mark_delivered(order: Order, actor: User) -> None:
    ensure_can_manage(actor, order.farm)
    move_order(order, OrderStatus.DELIVERED, actor=actor)


def record_cash_collected(order: Order, actor: User) -> None:
    """Cash on delivery: the farm (or its carrier) has the money."""
    ensure_can_manage(actor, order.farm)
    if order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        raise DomainError(_l("Only cash-on-delivery orders are paid in cash."))
    if order.payment_status == PaymentStatus.PAID:
        raise DomainError(_l("This order is already paid."))
    set_payment_status(order, PaymentStatus.PAID, actor=actor, note="cash collected")


def orders_of_buyer(buyer: User) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .join(Order.checkout)
            .where(Checkout.buyer_id == buyer.id)
            .options(selectinload(Order.farm), selectinload(Order.checkout))
            .order_by(Order.created_at.desc())
        )
    )


def record_refund(order: Order, actor: User, note: str) -> None:
    """The farm gave the money back (a cancelled paid order, or a delivery gone wrong)."""
    ensure_can_manage(actor, order.farm)
    if order.payment_status != PaymentStatus.PAID:
        raise DomainError(_l("Only a paid order can be refunded."))
    note = clean_text(note, "reason", 500, _l("the reason"))
    move_order(order, OrderStatus.REFUNDED, actor=actor, note=note)
    set_payment_status(order, PaymentStatus.REFUNDED, actor=actor, note=note)
    if order.payment_method == PaymentMethod.STRIPE:
        # The platform held the card money: the farm's balance goes down by the refund.
        db.session.add(
            LedgerEntry(
                farm_id=order.farm_id,
                order_id=order.id,
                kind="refund",
                amount_vnd=-order.total_vnd,
                note=note,
            )
        )
        db.session.flush()
