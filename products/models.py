"""Products, what they are sold as (variants), their OCOP certificate and photos."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import UTCDateTime, utcnow
from app.extensions import db
from farms.models import Farm, GrowingArea


class Category(enum.StrEnum):
    FRESH_FRUIT = "fresh_fruit"
    VEGETABLES = "vegetables"
    TEA = "tea"
    RICE_GRAINS = "rice_grains"
    HONEY = "honey"
    DRIED_PROCESSED = "dried_processed"
    BIRDS_NEST = "birds_nest"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.FRESH_FRUIT: _l("Fresh fruit"),
    Category.VEGETABLES: _l("Vegetables"),
    Category.TEA: _l("Tea"),
    Category.RICE_GRAINS: _l("Rice and grains"),
    Category.HONEY: _l("Honey"),
    Category.DRIED_PROCESSED: _l("Dried and processed food"),
    Category.BIRDS_NEST: _l("Bird's nest"),
    Category.OTHER: _l("Other produce"),
}


#: Who certifies an OCOP rating: 3–4 stars the province, 5 stars the ministry (national).
OCOP_LEVEL_LABELS = {
    "province": _l("certified by the province"),
    "ministry": _l("certified by the ministry"),
}


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    HIDDEN = "hidden"


class Unit(enum.StrEnum):
    KG = "kg"
    BOX = "box"
    BAG = "bag"
    JAR = "jar"
    GIFT_BOX = "gift_box"
    PIECE = "piece"
    CUSTOM = "custom"


class Product(db.Model):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'hidden')", name="known_status"),
        CheckConstraint(
            "(season_start IS NULL) = (season_end IS NULL)", name="season_has_both_ends"
        ),
        CheckConstraint("preorder_taken >= 0 AND preorder_capacity >= 0", name="preorder_counts"),
        Index("ix_product_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    farm_id: Mapped[int] = mapped_column(ForeignKey("farm.id", ondelete="CASCADE"), index=True)
    #: Readable address of the product page, /products/<slug>.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    #: Optional name for English pages ("Thanh Ha lychee"); empty: they show `name`.
    english_name: Mapped[str] = mapped_column(String(160), default="", server_default="")
    category: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: GTIN-14 (a GTIN-13 with a leading zero), check digit verified; optional.
    gtin: Mapped[str | None] = mapped_column(String(14))
    status: Mapped[str] = mapped_column(String(20), default=ProductStatus.DRAFT.value)
    growing_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("growing_area.id", ondelete="SET NULL")
    )
    #: Harvest season as month*100+day (601 = 1 June); both empty = sold all year.
    season_start: Mapped[int | None] = mapped_column(SmallInteger)
    season_end: Mapped[int | None] = mapped_column(SmallInteger)
    #: Before the season, orders can be taken up to a capacity and shipped on a set date.
    preorder_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    preorder_ships_on: Mapped[date | None] = mapped_column(Date)
    preorder_capacity: Mapped[int] = mapped_column(default=0)
    preorder_taken: Mapped[int] = mapped_column(default=0)
    #: Lowest variant price, kept by the services for sorting and price filters.
    price_from_vnd: Mapped[int | None] = mapped_column(index=True)
    #: Accent-free lower-case copies for search: the name (and the English name), then
    #: everything else.
    search_name: Mapped[str] = mapped_column(String(400), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set by a recall when no batch of the product is left that was not recalled (or sold
    #: out): what is in stock can only come from a recalled batch. Cleared by a new batch.
    sale_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The latest recall of one of its batches, shown on the product page.
    recalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recalled_batch_code: Mapped[str | None] = mapped_column(String(20))
    recall_reason: Mapped[str | None] = mapped_column(Text)
    #: Its visible reviews and the sum of their stars, kept by orders.reviews.ratings in
    #: the review's own transaction, so a card shows stars without another query.
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")

    farm: Mapped[Farm] = relationship()
    growing_area: Mapped[GrowingArea | None] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.position"
    )
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductPhoto.position"
    )
    ocop: Mapped[OcopCertificate | None] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def is_published(self) -> bool:
        return self.status == ProductStatus.PUBLISHED

    @property
    def is_sale_stopped(self) -> bool:
        return self.sale_stopped_at is not None

    @property
    def rating_average(self) -> float | None:
        """The mean of its visible reviews' stars, one decimal; None before the first."""
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def cover_photo(self) -> ProductPhoto | None:
        return self.photos[0] if self.photos else None

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class OcopCertificate(db.Model):
    """OCOP rating: 3–4 stars are certified by the province, 5 stars by the ministry.
    The stars show only when an operator verified the decision and it has not expired."""

    __tablename__ = "ocop_certificate"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 3 AND 5", name="stars_range"),
        CheckConstraint(
            "(stars = 5 AND level = 'ministry') OR (stars < 5 AND level = 'province')",
            name="level_matches_stars",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), unique=True
    )
    stars: Mapped[int] = mapped_column(SmallInteger)
    #: "province" or "ministry", following from the stars.
    level: Mapped[str] = mapped_column(String(20))
    decision_number: Mapped[str] = mapped_column(String(80))
    decision_date: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    product: Mapped[Product] = relationship(back_populates="ocop")
    verified_by: Mapped[User | None] = relationship()

    @property
    def level_label(self) -> str:
        return str(OCOP_LEVEL_LABELS.get(self.level, self.level))

    def is_valid_on(self, today: date) -> bool:
        return self.verified_at is not None and self.expires_on >= today


class Variant(db.Model):
    """What is sold: a unit (kg, a box of N kg, a jar…) with its price and stock."""

    __tablename__ = "variant"
    __table_args__ = (
        CheckConstraint("price_vnd > 0", name="positive_price"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("weight_grams > 0", name="positive_weight"),
        CheckConstraint("min_order_qty >= 1", name="min_order_at_least_one"),
        CheckConstraint(
            "unit IN ('kg', 'box', 'bag', 'jar', 'gift_box', 'piece', 'custom')", name="known_unit"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    unit: Mapped[str] = mapped_column(String(20))
    #: Kilograms in one box, bag or jar, when the unit holds a set weight ("box of 2 kg").
    pack_kg: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    #: The farmer's own unit name, when unit is "custom" ("buồng", "bó").
    custom_unit: Mapped[str | None] = mapped_column(String(40))
    price_vnd: Mapped[int]
    #: Shipping weight of one unit, packaging included.
    weight_grams: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)
    min_order_qty: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="variants")


class ProductPhoto(db.Model):
    __tablename__ = "product_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    display_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="photos")
