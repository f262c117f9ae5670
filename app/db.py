"""The declarative base every model uses, and the column types shared by all domains."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

#: Constraint names are predictable, so migrations can drop and alter them on any backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone, so a naive value read from it is UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Indexes that the migrations create by hand (trigram search on PostgreSQL, a partial
#: descending index); the models do not declare them, so schema comparison leaves them out.
MIGRATION_ONLY_INDEXES = frozenset(
    {
        "ix_trgm_product_search_name",
        "ix_trgm_product_search_text",
        "ix_product_published_order",
        "ix_product_search_vector",
        "ix_product_name_vector",
    }
)
#: Full-text search that lives only in the migrations (products/search_index.py reads it):
#: PostgreSQL's generated product.search_vector and name_vector; SQLite's FTS5 table, its
#: vocabulary and the shadow tables FTS5 keeps (product_search_data, _idx, _docsize, _config).
MIGRATION_ONLY_COLUMNS = frozenset({("product", "search_vector"), ("product", "name_vector")})
MIGRATION_ONLY_TABLE_PREFIX = "product_search"


def include_in_schema_compare(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "index":
        return name not in MIGRATION_ONLY_INDEXES
    if type_ == "table":
        return not (name or "").startswith(MIGRATION_ONLY_TABLE_PREFIX)
    if type_ == "column":
        return (obj.table.name, name) not in MIGRATION_ONLY_COLUMNS
    return True
