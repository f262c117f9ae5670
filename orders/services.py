"""Placing orders and moving them through their states.

place_order() turns a cart into one checkout with one order per farm, in the caller's single
transaction: it re-reads prices and fees, takes the stock with conditional updates and
refuses the whole checkout when a price or a farm's total moved since the review, or a box
is gone. move_order() is the only function that
changes an order's state; it records every change as an event (orders.events). The actions
a buyer hears about queue their mail, sent once the caller's transaction commits.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.identifiers import InvalidIdentifier, normalize_email, normalize_phone
from app.auth.models import User
from app.clock import local_today
from app.db import utcnow
from app.errors import DomainError, PermissionDenied, get_or_not_found
from app.extensions import db
from app.i18n import format_vnd
from app.paging import Page, paginate
from app.validation import check_commune, check_province, clean_text
from farms.models import Farm
from farms.permissions import ensure_can_manage
from orders import carriers, events, webhooks
from orders.delivery import delivery_fee, zone_for
from orders.group_buying import joining as group_joining
from orders.group_buying.models import GroupOffer
from orders.models import (
    Checkout,
    DeliverySettings,
    DeliveryZone,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
)
from orders.notifications import (
    FarmNotice,
    OrderUpdate,
    queue_checkout_placed,
    queue_farm_notice,
    queue_order_update,
)
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
from orders.vouchers import ledger as voucher_ledger
from orders.vouchers import redemption
from orders.vouchers import rules as vouchers
from orders.weighed import packing as weighed_packing
from orders.weighed.selling import sold_as
from products.models import Product, ProductStatus, Variant
from products.sale_stop import ensure_on_sale
from products.seasons import SeasonState, availability
from products.units import stored_unit_label, unit_label

MAX_QUANTITY = 1000
#: How long a bank transfer or a card payment may take before the boxes go back on sale.
PAY_WITHIN = {
    PaymentMethod.BANK_TRANSFER: timedelta(hours=24),
    PaymentMethod.STRIPE: timedelta(hours=1),
}


class SoldOut(DomainError):
    """Another buyer took the last units first."""


class PricesChanged(DomainError):
    """A price or a total moved since the buyer reviewed the order; they confirm again."""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str | None
    province_code: str
    #: The code of one of the province's communes (or its official name); once cleaned,
    #: the official name, with its code in commune_code.
    commune: str
    street: str
    commune_code: str | None = None


@dataclass
class FarmQuote:
    farm: Farm
    lines: list[tuple[Variant, int]] = field(default_factory=list)
    subtotal_vnd: int = 0
    weight_grams: int = 0
    delivery_fee_vnd: int = 0
    delivery_method: str = "delivery"
    #: The zone delivering to the buyer's province (its usual delivery days); None for pickup.
    delivery_zone: DeliveryZone | None = None
    # A voucher's discount on this farm's items (orders.vouchers.rules.apply_code).
    discount_vnd: int = 0
    platform_discount_vnd: int = 0
    voucher_code: str | None = None

    @property
    def total_vnd(self) -> int:
        """What the farm's order costs: the figure the buyer reviews and the order keeps.
        Discounts, when they come, belong here so the review compares them too."""
        return self.subtotal_vnd + self.delivery_fee_vnd - self.discount_vnd


def unit_price(variant: Variant, unit_prices: dict[int, int] | None) -> int:
    """What one unit costs in this order: the variant's price unless a group offer's applies."""
    return (unit_prices or {}).get(variant.id, variant.price_vnd)


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


def check_available(variant: Variant, quantity: int, today: date) -> None:
    """Refuse more than is left (stock, or pre-order places), saying how many remain.

    Only a check when the buyer looks: placing the order still takes the stock with a
    conditional update, since someone else may buy in between.
    """
    product = variant.product
    state = availability(product, today)
    if state.state == SeasonState.PREORDER:
        left = max(product.preorder_capacity - product.preorder_taken, 0)
    else:
        left = variant.stock
    if quantity <= left:
        return
    unit = unit_label(variant).lower()
    if left == 0:
        raise SoldOut(_l("Sold out: %(name)s (%(unit)s).", name=product.name, unit=unit))
    raise SoldOut(_l("Only %(n)d %(unit)s of %(name)s left.", n=left, unit=unit, name=product.name))


def check_lines(
    cart: dict[int, int],
    today: date,
    variants: dict[int, Variant] | None = None,
    unit_prices: dict[int, int] | None = None,
) -> dict[int, FarmQuote]:
    """The cart's lines grouped by farm with their subtotals, or what stops them being
    ordered today (no longer on sale, out of season, a quantity out of bounds).

    `variants` are the cart's variants when the caller loaded them already (the cart page).
    `unit_prices` replace variants' prices (a group offer's price, by variant id).
    """
    if not cart:
        raise DomainError(_l("Your cart is empty."))
    if variants is None:
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
        ensure_on_sale(product)
        if not availability(product, today).can_order:
            raise DomainError(_l("%(name)s is out of season.", name=product.name))
        _check_quantity(variant, quantity)
        check_available(variant, quantity, today)
        farm_quote = by_farm.setdefault(product.farm_id, FarmQuote(farm=product.farm))
        farm_quote.lines.append((variant, quantity))
        farm_quote.subtotal_vnd += unit_price(variant, unit_prices) * quantity
        farm_quote.weight_grams += variant.weight_grams * quantity
    return by_farm


def quote(
    cart: dict[int, int],
    *,
    province_code: str,
    today: date,
    delivery_methods: dict[int, str] | None = None,
    variants: dict[int, Variant] | None = None,
    settings: dict[int, DeliverySettings] | None = None,
    unit_prices: dict[int, int] | None = None,
) -> list[FarmQuote]:
    """Group the cart by farm with each farm's subtotal and delivery fee, or say what is wrong.

    `variants` and `settings` (by farm id) are passed when the caller loaded them already;
    `unit_prices` as in check_lines.
    """
    by_farm = check_lines(cart, today, variants, unit_prices)
    if settings is None:
        settings = _delivery_settings(list(by_farm))
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
        if method == "delivery":
            farm_quote.delivery_zone = zone_for(farm_settings, province_code)
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


def _delivery_settings(farm_ids: list[int]) -> dict[int, DeliverySettings]:
    return {
        s.farm_id: s
        for s in db.session.scalars(
            select(DeliverySettings)
            .where(DeliverySettings.farm_id.in_(farm_ids))
            .options(selectinload(DeliverySettings.zones))
        )
    }


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
    name = clean_text(contact.name, "name", 120, _l("your name"))
    province_code = check_province(contact.province_code)
    commune = check_commune(province_code, contact.commune_code or contact.commune)
    return Contact(
        name=name,
        phone=phone,
        email=email,
        province_code=province_code,
        commune=commune.name,
        commune_code=commune.code,
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
    reviewed_totals: dict[int, int] | None = None,
    voucher_code: str | None = None,
    group_offer: GroupOffer | None = None,
) -> Checkout:
    """One checkout, one order per farm; the caller commits, or rolls back on any error.

    reviewed_totals is each farm's total (items, delivery, discounts) as the buyer reviewed
    it, by farm id; any farm whose total moved, or that the review did not show, is refused
    so that the buyer looks again. Only a caller that shows no review (seeding) omits it.
    A voucher_code is checked again here and its use taken (orders.vouchers.redemption).

    group_offer: the order joins that group offer (orders.group_buying): one line at the
    group price, refused unless the offer (locked) is open and the buyer is not in it yet.
    """
    if payment_method not in set(PaymentMethod):
        raise DomainError(_l("Choose how to pay."), field="payment_method")
    contact = clean_contact(contact)
    unit_prices = None
    if group_offer is not None and voucher_code:
        # The group price is the offer's whole discount: a voucher does not stack on it.
        raise DomainError(_l("Vouchers do not apply to group buying."), field="voucher_code")
    if group_offer is not None:
        unit_prices = group_joining.group_prices(
            group_offer, cart, buyer=buyer, phone=contact.phone, now=utcnow()
        )
    quotes = quote(
        cart,
        province_code=contact.province_code,
        today=today,
        delivery_methods=delivery_methods,
        unit_prices=unit_prices,
    )
    changed = [
        variant.product.name
        for farm_quote in quotes
        for variant, _ in farm_quote.lines
        if shown_prices.get(variant.id) != unit_price(variant, unit_prices)
    ]
    if changed:
        raise PricesChanged(
            _l(
                "Prices changed since you looked: %(names)s. "
                "Check the new total and confirm again.",
                names=", ".join(changed),
            )
        )
    applied = (
        vouchers.apply_code(quotes, voucher_code, buyer=buyer, now=utcnow())
        if voucher_code
        else None
    )
    if payment_method != PaymentMethod.CASH_ON_DELIVERY and any(q.total_vnd == 0 for q in quotes):
        # Nothing to transfer or charge (a voucher covering items picked up): no payment page
        # may ask for 0 đồng, so the order is placed as cash on delivery, with nothing to pay.
        raise DomainError(
            _l("With this voucher there is nothing to pay: choose cash on delivery."),
            field="payment_method",
        )
    if reviewed_totals is not None:
        _check_reviewed_totals(quotes, reviewed_totals)

    # The lines take their stock (or pre-order places) inside one savepoint: a line refused
    # gives back what the lines before it took, and nothing is added to the session.
    with db.session.begin_nested():
        ships_on = {
            variant.id: _take(variant, quantity, today)
            for farm_quote in quotes
            for variant, quantity in farm_quote.lines
        }
    checkout = Checkout(
        buyer=buyer,
        access_token=secrets.token_urlsafe(32),
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email or (buyer.email if buyer else None),
        province_code=contact.province_code,
        commune=contact.commune,
        commune_code=contact.commune_code,
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
            discount_vnd=farm_quote.discount_vnd,
            platform_discount_vnd=farm_quote.platform_discount_vnd,
            total_vnd=farm_quote.total_vnd,
            group_offer_id=group_offer.id if group_offer is not None else None,
        )
        for variant, quantity in farm_quote.lines:
            order.lines.append(
                OrderLine(
                    variant=variant,
                    product_name=variant.product.name,
                    unit_label=stored_unit_label(variant),
                    unit_price_vnd=unit_price(variant, unit_prices),
                    quantity=quantity,
                    line_total_vnd=unit_price(variant, unit_prices) * quantity,
                    weight_grams=variant.weight_grams * quantity,
                    ships_on=ships_on[variant.id],
                    **sold_as(variant, quantity),  # weighed goods (orders.weighed)
                )
            )
        if payment_method == PaymentMethod.CASH_ON_DELIVERY:
            order.status = OrderStatus.CONFIRMED.value
        else:
            order.status = OrderStatus.AWAITING_PAYMENT.value
            order.pay_before = now + PAY_WITHIN[PaymentMethod(payment_method)]
        events.order_placed(order, buyer)
        checkout.orders.append(order)
    db.session.flush()
    for order in checkout.orders:
        order.number = f"NS{order.id:06d}"
    db.session.flush()
    if applied is not None:
        redemption.redeem(applied, checkout, buyer)
    queue_checkout_placed(checkout)
    for order in checkout.orders:
        webhooks.order_placed(order)
    return checkout


def _check_reviewed_totals(quotes: list[FarmQuote], reviewed: dict[int, int]) -> None:
    moved = [q.farm.name for q in quotes if reviewed.get(q.farm.id) != q.total_vnd]
    if moved or set(reviewed) != {q.farm.id for q in quotes}:
        raise PricesChanged(
            _l(
                "The total changed since you reviewed it: %(farms)s. "
                "Check the new total and confirm again.",
                farms=", ".join(moved or [q.farm.name for q in quotes]),
            )
        )


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
        elif order.recall_hold and line.variant.product.recalled_batch_code == order.recall_hold:
            # Packed from the recalled batch (traceability's recall marked the order): these
            # boxes are taken out of the food chain, never put back on sale.
            continue
        else:
            give_back_stock(line.variant_id, line.quantity)


def move_order(order: Order, target: str, *, actor: User | None, note: str = "") -> None:
    """The only way an order changes state: refuses what the state machine does not allow,
    and what another request changed meanwhile (compare-and-set on the state it read)."""
    source = order.status
    if not can_move(source, target):
        raise DomainError(
            _l(
                "This order cannot go from “%(from)s” to “%(to)s”.",
                **{"from": status_label(source), "to": status_label(target)},
            )
        )
    if target in (OrderStatus.PACKED, OrderStatus.SHIPPED):
        _refuse_recalled(order, target)
        group_joining.refuse_packing_while_open(order, target)
    _compare_and_set(order, Order.status, source, target)
    if target == OrderStatus.CANCELLED and source in HOLDS_STOCK:
        _release_stock(order)
    if target == OrderStatus.CANCELLED:
        redemption.release(order)
    events.status_changed(order, source, target, actor=actor, reason=note)
    db.session.flush()
    webhooks.status_moved(order, target)


def _compare_and_set(order: Order, column, expected: str, target: str) -> None:
    """`UPDATE … SET column = target WHERE id = … AND column = expected`: a webhook, a cron
    job and a person acting on the same order at once cannot both move it from one state."""
    changed = db.session.execute(
        update(Order)
        .where(Order.id == order.id, column == expected)
        .values({column: target})
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.refresh(order)
        raise DomainError(
            _l("Order %(number)s was changed meanwhile: look again.", number=order.number)
        )
    set_committed_value(order, column.key, target)


def _refuse_recalled(order: Order, target: str) -> None:
    """Recalled food never leaves the farm: not from a batch that was recalled, and not while
    every batch of a product is recalled (until the farm records a new one)."""
    if target == OrderStatus.SHIPPED and order.recall_hold:
        raise DomainError(
            _l(
                "Order %(number)s was packed from batch %(code)s, which was recalled: it must "
                "not be shipped. Cancel it and tell the buyer.",
                number=order.number,
                code=order.recall_hold,
            )
        )
    for line in order.lines:
        if line.variant is not None and line.variant.product.is_sale_stopped:
            raise DomainError(
                _l(
                    "%(name)s was recalled and every batch of it is recalled: it cannot be "
                    "packed or shipped until the farm harvests a new batch.",
                    name=line.product_name,
                )
            )


def set_payment_status(order: Order, target: str, *, actor: User | None, note: str = "") -> None:
    """The only way an order's payment state changes, compare-and-set like `move_order`."""
    source = order.payment_status
    _compare_and_set(order, Order.payment_status, source, target)
    if target == PaymentStatus.PAID:
        voucher_ledger.credit_platform_discount(order)
    events.payment_changed(order, source, target, actor=actor, reason=note)
    db.session.flush()
    webhooks.payment_moved(order, target)


def _lock(order: Order) -> None:
    """Re-read the order under a row lock: a payment and a cancellation arriving together
    see each other's result instead of both acting on a stale state."""
    db.session.refresh(order, with_for_update=True)


def can_still_pay(order: Order, now: datetime) -> bool:
    """Whether any page may still offer to pay the order (a VietQR code, a card link, a
    deadline): only an unpaid order that waits for its money and whose time has not run out.
    A cancelled, expired, paid or refunded order is never offered for payment."""
    return (
        order.payment_method != PaymentMethod.CASH_ON_DELIVERY
        and order.status == OrderStatus.AWAITING_PAYMENT
        and order.payment_status == PaymentStatus.UNPAID
        and (order.pay_before is None or order.pay_before > now)
    )


def confirm_transfer(order: Order, actor: User) -> None:
    """The farm saw the money on its account: paid, and the order is confirmed."""
    ensure_can_manage(actor, order.farm)
    _lock(order)
    if order.payment_method != PaymentMethod.BANK_TRANSFER:
        raise DomainError(_l("Only bank-transfer orders are paid by transfer."))
    if order.payment_status in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        raise DomainError(_l("This order is already paid."))
    if order.status == OrderStatus.CANCELLED:
        # The boxes are back on sale: money for this order goes back to the buyer.
        if order.payment_status != PaymentStatus.REFUND_NEEDED:
            set_payment_status(
                order,
                PaymentStatus.REFUND_NEEDED,
                actor=actor,
                note="transfer received after cancellation",
            )
            queue_order_update(order, OrderUpdate.PAID)
        return
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise DomainError(_l("This order is not waiting for a payment."))
    set_payment_status(order, PaymentStatus.PAID, actor=actor, note="transfer confirmed by farm")
    move_order(order, OrderStatus.CONFIRMED, actor=actor)
    queue_order_update(order, OrderUpdate.PAID)
    queue_farm_notice(order, FarmNotice.PAID, actor=actor)


def ensure_buyer_of(order: Order, buyer: User | None, *, access_token: str | None) -> None:
    """PermissionDenied unless this is the buyer's order, or the guest holds its token."""
    owns = (buyer is not None and order.checkout.buyer_id == buyer.id) or (
        access_token is not None
        # As bytes: compare_digest refuses str with non-ASCII characters (a 500 otherwise).
        and secrets.compare_digest(access_token.encode(), order.checkout.access_token.encode())
    )
    if not owns:
        raise PermissionDenied()


def cancel_by_buyer(order: Order, buyer: User | None, *, access_token: str | None = None) -> None:
    """The buyer (or the guest holding the checkout's token) cancels before packing."""
    ensure_buyer_of(order, buyer, access_token=access_token)
    _lock(order)
    if order.status not in BUYER_MAY_CANCEL:
        raise DomainError(_l("The farm has already packed this order; contact the farm."))
    move_order(order, OrderStatus.CANCELLED, actor=buyer, note="cancelled by buyer")
    _owe_refund_if_paid(order, buyer)
    queue_order_update(order, OrderUpdate.CANCELLED)
    queue_farm_notice(order, FarmNotice.CANCELLED_BY_BUYER, actor=buyer)


def cancel_by_farm(order: Order, actor: User, reason: str) -> None:
    ensure_can_manage(actor, order.farm)
    reason = clean_text(reason, "reason", 500, _l("the reason"))
    _lock(order)
    move_order(order, OrderStatus.CANCELLED, actor=actor, note=reason)
    order.cancel_reason = reason  # once the move is allowed: a refusal keeps no reason
    db.session.flush()
    _owe_refund_if_paid(order, actor)
    queue_order_update(order, OrderUpdate.CANCELLED)


def cancel_for_group(order: Order, reason: str) -> None:
    """The group offer the order joined failed (orders.group_buying): cancelled as the farm
    would cancel it, stock back once and any payment owed back; the caller tells the buyer."""
    _lock(order)
    move_order(order, OrderStatus.CANCELLED, actor=None, note=reason)
    order.cancel_reason = reason
    db.session.flush()
    _owe_refund_if_paid(order, None)


def _owe_refund_if_paid(order: Order, actor: User | None) -> None:
    """A paid order that is cancelled owes its buyer the money: say so to the farm and the
    operators, and take a card sale out of the farm's balance before anyone pays it out.
    A transfer of the wrong amount (kept for review) is the buyer's money too."""
    if order.payment_status not in (PaymentStatus.PAID, PaymentStatus.NEEDS_REVIEW):
        return
    set_payment_status(
        order, PaymentStatus.REFUND_NEEDED, actor=actor, note="cancelled after payment"
    )
    _reverse_card_sale(order, "cancelled after payment")


def _reverse_card_sale(order: Order, note: str) -> None:
    """Bring the farm's ledger for this order back to zero (sale, commission, any refund so
    far): a card sale that is given back was never the farm's money."""
    net = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_vnd), 0)).where(
            LedgerEntry.order_id == order.id
        )
    )
    # Below zero too: a card box weighed far lighter gave back more than its sale less the
    # commission (orders.weighed), and the farm is not charged for a cancelled order.
    if net:
        db.session.add(
            LedgerEntry(
                farm_id=order.farm_id,
                order_id=order.id,
                kind=LedgerKind.REFUND.value,
                amount_vnd=-net,
                note=note[:255],
            )
        )
        db.session.flush()


def expire_unpaid_orders(now: datetime) -> list[Order]:
    """Cancel unpaid orders whose time to pay has passed; their stock goes back on sale."""
    overdue = db.session.scalars(
        select(Order)
        .where(
            Order.status == OrderStatus.AWAITING_PAYMENT,
            Order.payment_status == PaymentStatus.UNPAID,
            Order.pay_before < now,
        )
        .order_by(Order.id)  # two runs lock the same orders in the same order
        .options(selectinload(Order.lines))
    ).all()
    expired = []
    for order in overdue:
        try:
            # One savepoint per order: an order paid meanwhile (its compare-and-set lost)
            # is left as the payment made it, and the others still expire.
            with db.session.begin_nested():
                move_order(order, OrderStatus.CANCELLED, actor=None, note="payment time ran out")
        except DomainError:
            continue
        queue_order_update(order, OrderUpdate.CANCELLED)
        expired.append(order)
    return expired


#: Orders on one page of the farm's order list.
FARM_ORDERS_PER_PAGE = 20


def orders_for_farm(
    farm: Farm,
    actor: User,
    statuses: list[str] | None = None,
    payment_statuses: list[str] | None = None,
    page: int | None = 1,
) -> Page[Order]:
    """One page of the farm's orders, newest first, with what the list shows loaded."""
    ensure_can_manage(actor, farm)
    statement = select(Order).where(Order.farm_id == farm.id)
    if statuses:
        statement = statement.where(Order.status.in_(statuses))
    if payment_statuses:
        statement = statement.where(Order.payment_status.in_(payment_statuses))
    statement = statement.order_by(Order.created_at.desc(), Order.id.desc()).options(
        selectinload(Order.lines), selectinload(Order.checkout)
    )
    return paginate(statement, page, FARM_ORDERS_PER_PAGE)


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
    # Each farm is quoted on its own (one farm's problem does not hide the others' totals),
    # from rows loaded once for the whole cart.
    settings = _delivery_settings(list(groups)) if province_code else {}
    for group in groups.values():
        farm_cart = {variant.id: quantity for variant, quantity in group.lines}
        try:
            if province_code:
                group.quote = quote(
                    farm_cart,
                    province_code=province_code,
                    today=today,
                    variants=variants,
                    settings=settings,
                )[0]
            else:  # no fee to show yet, but what stops an order still shows
                check_lines(farm_cart, today, variants)
        except DomainError as error:
            group.problem = str(error.message)
    return list(groups.values())


# The farm's fulfilment steps --------------------------------------------------------------


def get_order_for_farm(actor: User, order_id: int) -> Order:
    """An order the actor's farm may work on (NotFound when unknown, else PermissionDenied)."""
    order = get_or_not_found(Order, order_id)
    ensure_can_manage(actor, order.farm)
    return order


def pack_order(
    order: Order,
    actor: User,
    *,
    actual_grams: Mapping[int, object] | None = None,
    confirm_unusual_weights: bool = False,
) -> None:
    """Pack the order. Weighed goods (orders.weighed): every weighed line's actual grams,
    by line id, are required, and are recorded with the move, under the order's row lock."""
    ensure_can_manage(actor, order.farm)
    if not weighed_packing.weighed_lines(order):
        move_order(order, OrderStatus.PACKED, actor=actor)
        queue_order_update(order, OrderUpdate.PACKED)
        return
    _lock(order)
    checked = weighed_packing.check_actual_weights(
        order, actual_grams or {}, confirm_unusual=confirm_unusual_weights
    )
    move_order(order, OrderStatus.PACKED, actor=actor)
    weighed_packing.record_actual_weights(order, actor, checked)


def ship_order(
    order: Order,
    actor: User,
    *,
    carrier: str,
    tracking_number: str | None,
    carrier_name: str | None = None,
    ship_early: bool = False,
    today: date | None = None,
) -> None:
    """Hand the order to the carrier (an orders.carriers code; `carrier_name` names an
    "other" one). A pre-order goes before its date only when the farm says so (ship_early),
    and its history then says it shipped early."""
    ensure_can_manage(actor, order.farm)
    early = _ships_early(order, ship_early=ship_early, today=today or local_today())
    code, name = carriers.carrier_for_shipping(carrier, carrier_name)
    tracking_number = carriers.clean_tracking_number(tracking_number)
    note = " ".join(filter(None, [name, tracking_number]))
    # Written once the move is allowed: a refused shipment leaves no carrier on the order.
    move_order(order, OrderStatus.SHIPPED, actor=actor, note=note)
    order.carrier_code, order.carrier, order.tracking_number = code, name, tracking_number
    if early is not None:
        events.shipped_early(order, actor=actor, on=early)
    db.session.flush()
    queue_order_update(order, OrderUpdate.SHIPPED)
    webhooks.order_shipped(order)


def _ships_early(order: Order, *, ship_early: bool, today: date) -> date | None:
    """The pre-order date the order would ship ahead of, refused unless confirmed."""
    due = max((line.ships_on for line in order.lines if line.ships_on), default=None)
    if due is None or due <= today:
        return None
    if not ship_early:
        raise DomainError(
            _l(
                "Order %(number)s is a pre-order that ships from %(date)s. To ship it early, "
                "tick “Ship early and tell the buyer”.",
                number=order.number,
                date=due.strftime("%d/%m/%Y"),
            ),
            field="ship_early",
        )
    return due


def mark_delivered(order: Order, actor: User) -> None:
    ensure_can_manage(actor, order.farm)
    move_order(order, OrderStatus.DELIVERED, actor=actor)
    queue_order_update(order, OrderUpdate.DELIVERED)


def record_cash_collected(order: Order, actor: User) -> None:
    """Cash on delivery: the farm (or its carrier) has the money."""
    ensure_can_manage(actor, order.farm)
    _lock(order)
    if order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        raise DomainError(_l("Only cash-on-delivery orders are paid in cash."))
    if order.payment_status == PaymentStatus.PAID:
        raise DomainError(_l("This order is already paid."))
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        raise DomainError(_l("Cash is collected when the order is delivered."))
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
    """The money went back to the buyer (a cancelled paid order, money that arrived after the
    cancellation, or a delivery gone wrong)."""
    ensure_can_manage(actor, order.farm)
    _lock(order)
    if order.payment_status not in (PaymentStatus.PAID, PaymentStatus.REFUND_NEEDED):
        raise DomainError(_l("Only a paid order can be refunded."))
    note = clean_text(note, "reason", 500, _l("the reason"))
    move_order(order, OrderStatus.REFUNDED, actor=actor, note=note)
    set_payment_status(order, PaymentStatus.REFUNDED, actor=actor, note=note)
    # The platform held the card money: the farm's balance loses the sale, once. Money that
    # came after a cancellation was never credited, so there is nothing to take back.
    _reverse_card_sale(order, note)
    queue_order_update(order, OrderUpdate.REFUNDED)
