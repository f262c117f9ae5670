"""Carts, checkouts, per-farm orders with their lines and history, and each farm's delivery
options."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.geo import province_by_code
from farms.models import Farm
from orders.states import OrderStatus, PaymentStatus
from products.models import Variant


class CartItem(db.Model):
    """A signed-in buyer's cart line; a guest's cart lives in the session until log-in."""

    __tablename__ = "cart_item"
    __table_args__ = (
        UniqueConstraint("user_id", "variant_id", name="uq_cart_item_user_variant"),
        CheckConstraint("quantity > 0", name="positive_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    variant: Mapped[Variant] = relationship()


class DeliverySettings(db.Model):
    """How a farm delivers: a minimum order, free delivery above a threshold, pickup."""

    __tablename__ = "delivery_settings"
    __table_args__ = (
        CheckConstraint("min_order_vnd >= 0", name="min_order_not_negative"),
        CheckConstraint(
            "free_delivery_from_vnd IS NULL OR free_delivery_from_vnd > 0",
            name="free_threshold_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), unique=True)
    min_order_vnd: Mapped[int] = mapped_column(default=0)
    #: Subtotal from which delivery is free; empty = never free.
    free_delivery_from_vnd: Mapped[int | None]
    pickup_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Where to collect the order, shown to buyers who choose pickup.
    pickup_address: Mapped[str | None] = mapped_column(String(255))
    #: Weighed goods (orders.weighed): how much a prepaid box that weighed more than its
    #: estimate may cost the buyer nothing; above it the rest is collected on delivery.
    underpayment_absorb_limit_vnd: Mapped[int] = mapped_column(default=0, server_default="0")

    farm: Mapped[Farm] = relationship()
    zones: Mapped[list[DeliveryZone]] = relationship(
        back_populates="settings", cascade="all, delete-orphan", order_by="DeliveryZone.id"
    )


class DeliveryZone(db.Model):
    """A province the farm delivers to, with its fee: flat per order, or per started step
    of weight (15,000 ₫ per 5 kg)."""

    __tablename__ = "delivery_zone"
    __table_args__ = (
        UniqueConstraint("settings_id", "province_code", name="uq_delivery_zone_province"),
        CheckConstraint("fee_vnd >= 0", name="fee_not_negative"),
        CheckConstraint("fee_rule IN ('flat', 'per_weight')", name="known_rule"),
        CheckConstraint("fee_rule = 'flat' OR weight_step_grams > 0", name="weight_rule_has_step"),
        CheckConstraint("min_days >= 0 AND max_days >= min_days", name="days_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settings_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_settings.id", ondelete="CASCADE"), index=True
    )
    province_code: Mapped[str] = mapped_column(String(2))
    fee_rule: Mapped[str] = mapped_column(String(20), default="flat")
    fee_vnd: Mapped[int]
    weight_step_grams: Mapped[int | None]
    #: How many days a box usually takes to arrive there, at the soonest and at the latest.
    min_days: Mapped[int] = mapped_column(default=2)
    max_days: Mapped[int] = mapped_column(default=4)

    settings: Mapped[DeliverySettings] = relationship(back_populates="zones")

    @property
    def province_name(self) -> str:
        province = province_by_code(self.province_code)
        return province.display_name if province else self.province_code


class Checkout(db.Model):
    """One purchase by one buyer: one order per farm, placed together in one transaction."""

    __tablename__ = "checkout"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Empty for a guest; the access token then lets the guest follow the orders.
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    access_token: Mapped[str] = mapped_column(String(64), unique=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    #: E.164 mobile number.
    contact_phone: Mapped[str] = mapped_column(String(16))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    province_code: Mapped[str] = mapped_column(String(2))
    #: Commune or ward by name, as it was when the order was placed.
    commune: Mapped[str] = mapped_column(String(120))
    #: Its five-digit official code (app.geo); NULL only for a checkout placed before the
    #: official list whose free text matched no commune of its province.
    commune_code: Mapped[str | None] = mapped_column(String(5))
    street: Mapped[str] = mapped_column(String(255))
    payment_method: Mapped[str] = mapped_column(String(20))
    #: Language of the buyer's mails.
    language: Mapped[str] = mapped_column(String(5), default="vi")
    #: The Stripe Checkout Session paying this checkout by card, if the buyer chose Stripe.
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: Stripe's hosted payment page for that session; the buyer follows it as a link.
    stripe_session_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer: Mapped[User | None] = relationship()
    orders: Mapped[list[Order]] = relationship(back_populates="checkout", order_by="Order.id")

    @property
    def total_vnd(self) -> int:
        return sum(order.total_vnd for order in self.orders)

    @property
    def address_line(self) -> str:
        province = province_by_code(self.province_code)
        name = province.display_name if province else ""
        return ", ".join(p for p in (self.street, self.commune, name) if p)


class Order(db.Model):
    """What one farm sells in a checkout: its own number, state, delivery and payment."""

    __tablename__ = "farm_order"
    __table_args__ = (
        CheckConstraint("subtotal_vnd >= 0 AND delivery_fee_vnd >= 0", name="amounts"),
        CheckConstraint(
            "total_vnd = subtotal_vnd + delivery_fee_vnd - discount_vnd AND total_vnd >= 0",
            name="total_adds_up",
        ),
        # A voucher's discount (orders.vouchers): the platform's share is part of it.
        CheckConstraint(
            "platform_discount_vnd >= 0 AND platform_discount_vnd <= discount_vnd",
            name="discounts",
        ),
        CheckConstraint("weight_absorbed_vnd >= 0", name="weight_absorbed_not_negative"),
        Index("ix_order_farm_status", "farm_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Shown to people and written in bank transfers, e.g. NS000123.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id"), index=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id"))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.AWAITING_PAYMENT.value)
    payment_status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.UNPAID.value)
    payment_method: Mapped[str] = mapped_column(String(20))
    #: "delivery" or "pickup".
    delivery_method: Mapped[str] = mapped_column(String(20), default="delivery")
    subtotal_vnd: Mapped[int]
    delivery_fee_vnd: Mapped[int] = mapped_column(default=0)
    #: What a voucher took off the items (orders.vouchers); never more than the subtotal.
    discount_vnd: Mapped[int] = mapped_column(default=0)
    #: The part of discount_vnd the platform pays the farm (a platform voucher).
    platform_discount_vnd: Mapped[int] = mapped_column(default=0)
    total_vnd: Mapped[int]
    #: Unpaid orders give their stock back after this moment.
    pay_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set once the order's stock went back to the shelf, so it never goes back twice.
    stock_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The name of the carrier, as shown: a listed carrier's own name or what the farm wrote.
    carrier: Mapped[str | None] = mapped_column(String(80))
    #: An orders.carriers code ("ghtk", ..., "other"), which picks the tracking page.
    carrier_code: Mapped[str | None] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    #: The code of a recalled batch this order was packed from: it must not be shipped.
    recall_hold: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Weighed goods (orders.weighed): set when the farm records the actual weights at packing.
    #: Items at their actual weight minus items as estimated (negative for a lighter box).
    weight_adjustment_vnd: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Of a heavier prepaid box's difference, what the farm absorbed (the buyer pays less).
    weight_absorbed_vnd: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the difference of a lighter prepaid box went back to the buyer.
    weight_refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The group offer (orders.group_buying) this order joined, at the group's price.
    group_offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_offer.id", ondelete="SET NULL"), index=True
    )

    checkout: Mapped[Checkout] = relationship(back_populates="orders")
    farm: Mapped[Farm] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )


class OrderLine(db.Model):
    """A variant bought, with the name and price as they were when the order was placed."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="positive_quantity"),
        CheckConstraint("line_total_vnd = unit_price_vnd * quantity", name="total_adds_up"),
        CheckConstraint("actual_grams IS NULL OR actual_grams > 0", name="actual_grams_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("farm_order.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variant.id", ondelete="SET NULL"))
    product_name: Mapped[str] = mapped_column(String(160))
    unit_label: Mapped[str] = mapped_column(String(80))
    unit_price_vnd: Mapped[int]
    quantity: Mapped[int]
    line_total_vnd: Mapped[int]
    weight_grams: Mapped[int]
    #: A pre-order line ships on this date rather than now.
    ships_on: Mapped[date | None] = mapped_column(Date)
    # Weighed goods (orders.weighed): as sold, and the weight the farm packed.
    sold_by_weight: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    price_per_kg_vnd: Mapped[int | None]
    estimated_grams: Mapped[int | None]
    actual_grams: Mapped[int | None]

    order: Mapped[Order] = relationship(back_populates="lines")
    variant: Mapped[Variant | None] = relationship()


class OrderEvent(db.Model):
    """Append-only history of an order: every change of its state or its payment."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("farm_order.id", ondelete="CASCADE"), index=True
    )
    #: An orders.events.OrderEventKind value: a status or payment change, a pre-order
    #: shipped early, a recall. Written only through the functions of orders.events.
    kind: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    #: Who did it; empty for the system (an expiry, a bank notification, Stripe).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class BankCredit(db.Model):
    """A credit the bank told us about; its transaction id is unique, so a replayed
    notification is recognised and changes nothing. Every credit is kept, and its outcome
    says whether it paid an order or waits for a person (bank_notifications.OUTCOMES)."""

    __tablename__ = "bank_credit"
    __table_args__ = (CheckConstraint("amount_vnd > 0", name="positive_amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: 64 bits: a credit larger than any order is still money someone must look at.
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    #: The account credited, as the bank wrote it; it must be the order's farm's account.
    account_number: Mapped[str | None] = mapped_column(String(34))
    description: Mapped[str] = mapped_column(String(500))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("farm_order.id"), index=True)
    #: "paid", or why it paid nothing: see bank_notifications.OUTCOMES.
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order | None] = relationship()


class ProcessedStripeEvent(db.Model):
    """Each Stripe event id is handled once: a replayed webhook finds its row and stops."""

    __tablename__ = "processed_stripe_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerKind(StrEnum):
    """What a ledger entry records (the `kind` column holds the value)."""

    #: A card payment collected for the farm.
    SALE = "sale"
    #: The platform's share of a sale.
    COMMISSION = "commission"
    #: A bank transfer to the farm, recorded by an operator.
    PAYOUT = "payout"
    #: A card sale given back to its buyer.
    REFUND = "refund"
    #: A platform voucher's discount on the order, which the platform pays the farm.
    PLATFORM_DISCOUNT = "platform_discount"


class LedgerEntry(db.Model):
    """Money the platform collected for a farm (card payments): what the farm is owed, the
    commission kept, and payouts. A farm's balance is the sum of its entries."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('sale', 'commission', 'payout', 'refund', 'platform_discount')",
            name="known_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("farm_order.id"))
    #: A LedgerKind value.
    kind: Mapped[str] = mapped_column(String(20))
    #: Positive when the platform owes the farm more (a sale), negative otherwise.
    amount_vnd: Mapped[int]
    note: Mapped[str] = mapped_column(String(255), default="")
    #: The operator who recorded a payout; empty for entries the payment webhooks write.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    farm: Mapped[Farm] = relationship()
    recorded_by: Mapped[User | None] = relationship()


# The group offers' table, which farm_order.group_offer_id refers to, is known wherever the
# orders are.
from orders.group_buying import models as _group_buying_models  # noqa: E402, F401
