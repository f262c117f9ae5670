"""Rebuild the dashboard's summary tables from the records themselves.

Every figure is grouped by the database (by day in Vietnam, the farm's province and commune)
and written by INSERT … SELECT, so a rebuild holds no record in Python whatever their
number; only the per-farm and per-certificate figures (first orders, first listings, OCOP)
pass through Python, one row each. The daily rows are then summed by month, quarter and year
(dashboard.period_summary). Both tables are replaced in one transaction, so a reader sees the
old figures or the new ones. Refreshes lock the one FigureRefresh row: a second worker that
asked while the first was rebuilding waits, sees that the figures are newer than its
request, and stops.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    Select,
    String,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
)

from app.clock import VIETNAM
from app.db import utcnow
from app.extensions import db
from dashboard import metrics
from dashboard.local_day import day_in_vietnam, local_day
from dashboard.models import DailyFigure, FigureRefresh, PeriodFigure
from dashboard.period_summary import summarise_periods
from dashboard.periods import LAST_DAY
from farms.models import Certification, Farm
from orders.events import OrderEventKind
from orders.models import Checkout, Order, OrderEvent, OrderLine
from orders.states import OrderStatus, PaymentStatus
from products.models import OcopCertificate, Product, ProductStatus, Variant
from traceability.models import Batch, BatchAllocation, LabelRun, LabelScan

#: (metric, province, day, commune, dimension) -> value
Key = tuple[str, str, date, str, str]
Row = tuple[str, str, date, str, str, int]
#: In the order _grouped selects them (the model's).
_COLUMNS = tuple(column.name for column in DailyFigure.__table__.columns)


def refresh_figures(asked_at: datetime | None = None, *, recent_only: bool = False) -> bool:
    """Rebuild the figures unless someone rebuilt them (as much) after `asked_at`; True if
    rebuilt.

    `recent_only`: the dated flows (orders, payments, shipments, scans…) of the days from
    the one before the last refresh only (what happened since is dated since); the stocks
    and per-farm figures whole, as always. What changes an older day (a refund of an order
    paid weeks ago, a farm that moved commune) waits for a whole rebuild. The caller commits.
    """
    asked_at = asked_at or utcnow()
    state = db.session.scalar(select(FigureRefresh).where(FigureRefresh.id == 1).with_for_update())
    if state is None:  # a database built before the migration's row (never in practice)
        state = FigureRefresh(id=1, row_count=0)
        db.session.add(state)
    else:
        # A whole rebuild asked for is done unless a whole one began since: a ten-minute
        # refresh leaves older days as they were.
        latest = state.refreshed_at if recent_only else state.whole_refreshed_at
        if latest is not None and latest >= asked_at:
            return False
    started = utcnow()
    since = None
    if recent_only and state.refreshed_at is not None:
        # A day's margin: an order placed just before the last refresh may have been
        # committed after it began.
        since = day_in_vietnam(state.refreshed_at) - timedelta(days=1)
    _rebuild_daily(since)
    summarise_periods(since, REBUILT_WHOLE)
    if since is None:
        _analyse_summary()
        state.whole_refreshed_at = started
    state.refreshed_at = started
    state.row_count = db.session.scalar(select(func.count()).select_from(DailyFigure))
    db.session.flush()
    return True


def _analyse_summary() -> None:
    """Tell PostgreSQL's planner what the tables hold now that every row was replaced: with
    the figures of before it may scan a table that an index would read in a millisecond."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE dashboard_daily_figure, dashboard_period_figure"))


def _rebuild_daily(since: date | None) -> None:
    """Replace the daily rows: all, or the whole-rebuilt metrics' and the others' from
    `since` on."""
    if since is None:
        db.session.execute(delete(PeriodFigure))
        db.session.execute(delete(DailyFigure))
    else:
        # Two deletes, each a range of the (metric, day) index.
        db.session.execute(delete(DailyFigure).where(DailyFigure.metric.in_(REBUILT_WHOLE)))
        db.session.execute(
            delete(DailyFigure).where(
                DailyFigure.metric.in_(DATED_BY_EVENTS), DailyFigure.day >= since
            )
        )
    for statement in _grouped_statements(_start_in_utc(since)):
        db.session.execute(insert(DailyFigure).from_select(_COLUMNS, statement))
    rows = _per_farm_rows()
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(DailyFigure), rows[start : start + 5000])


def _start_in_utc(day: date | None) -> datetime | None:
    """Midnight of `day` in Vietnam, as a UTC time (records store UTC)."""
    if day is None:
        return None
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC)


def last_refreshed_at() -> datetime | None:
    return db.session.scalar(select(FigureRefresh.refreshed_at).where(FigureRefresh.id == 1))


def _per_farm_rows() -> list[dict]:
    """The rows computed one farm or certificate at a time, summed by key (several farms
    share a day and a commune)."""
    totals: dict[Key, int] = defaultdict(int)
    for source in (_first_orders_and_sales, _first_listings, _ocop):
        for metric, province, day, commune, dimension, value in source():
            totals[(metric, province, day, commune or "", dimension)] += int(value)
    return [
        {"metric": m, "province_code": p, "day": d, "commune": c, "dimension": x, "value": v}
        for (m, p, d, c, x), v in totals.items()
        if v
    ]


#: Rebuilt whole by every refresh: stocks, expiries and the per-farm firsts (a record of any
#: age can start or stop them). Every other metric is a flow dated by an event's time.
REBUILT_WHOLE = (
    metrics.PRODUCTS_LISTED,
    metrics.CERT_EXPIRING,
    metrics.OCOP_PRODUCTS,
    metrics.OCOP_EXPIRING,
    metrics.FIRST_SALE_DAYS,
    *(metrics.first_order(kind) for kind in metrics.FARM_KINDS),
    *(metrics.listing(kind) for kind in metrics.FARM_KINDS),
)


DATED_BY_EVENTS = tuple(metric for metric in metrics.ALL if metric not in REBUILT_WHOLE)


def _grouped_statements(since: datetime | None) -> Iterable[Select]:
    """The statements of the whole-rebuilt metrics, then the flows' (from `since`)."""
    yield from _listings()
    yield from _certificates()
    for source in (
        _orders,
        _selling_farms,
        _paid_orders,
        _batches,
        _shipped_lines,
        _labels,
        _scans,
        _verifications,
    ):
        yield from source(since)


_PLACE = (Farm.province_code, Farm.commune)


def _grouped(
    metric: str, base, day_column, value, dimension, *joins, where=(), since=None
) -> Select:
    """One GROUP BY over a record, by day, the farm's place and a dimension (a column, a
    fixed text, or None for none), as the daily table's columns; of the records whose time
    is `since` or later, if given."""
    day = local_day(day_column)
    if since is not None:
        where = (*where, day_column >= since)
    if dimension is None or isinstance(dimension, str):
        split, dimension_value = (), literal(dimension or "", String(40))
    else:
        split, dimension_value = (dimension,), func.coalesce(cast(dimension, String(40)), "")
    statement = select(
        literal(metric, String(40)),
        Farm.province_code,
        day,
        Farm.commune,
        dimension_value,
        func.coalesce(value, 0),
    ).select_from(base)
    for target, condition in joins:
        statement = statement.join(target, condition)
    return statement.where(*where).group_by(day, *_PLACE, *split)


def _by_farm(model) -> tuple:
    return (Farm, Farm.id == model.farm_id)


def _orders(since: datetime | None) -> Iterable[Select]:
    yield _grouped(
        metrics.ORDERS,
        Order,
        Order.created_at,
        func.count(Order.id),
        None,
        _by_farm(Order),
        since=since,
    )


def _selling_farms(since: datetime | None) -> Iterable[Select]:
    for kind in metrics.FARM_KINDS:
        yield _grouped(
            metrics.selling(kind),
            Order,
            Order.created_at,
            func.count(Order.id),
            Farm.id,
            _by_farm(Order),
            where=(Farm.kind == kind,),
            since=since,
        )


def _paid_at():
    """When each order was (last) paid, from its history."""
    return (
        select(OrderEvent.order_id, func.max(OrderEvent.created_at).label("paid_at"))
        .where(
            OrderEvent.kind == OrderEventKind.PAYMENT.value,
            OrderEvent.to_state == PaymentStatus.PAID.value,
        )
        .group_by(OrderEvent.order_id)
        .subquery()
    )


def _paid_orders(since: datetime | None) -> Iterable[Select]:
    paid = _paid_at()
    joins = ((paid, paid.c.order_id == Order.id), _by_farm(Order))
    to = (Checkout, Checkout.id == Order.checkout_id)
    still_paid = (Order.payment_status == PaymentStatus.PAID.value,)
    count, total = func.count(Order.id), func.sum(Order.total_vnd)
    for metric, value, dimension, extra in (
        (metrics.PAID_ORDERS, count, Order.payment_method, ()),
        (metrics.REVENUE_VND, total, Order.payment_method, ()),
        (metrics.PAID_ORDERS_TO, count, Checkout.province_code, (to,)),
        (metrics.REVENUE_TO_VND, total, Checkout.province_code, (to,)),
    ):
        yield _grouped(
            metric,
            Order,
            paid.c.paid_at,
            value,
            dimension,
            *joins,
            *extra,
            where=still_paid,
            since=since,
        )
    # The lines' totals (goods only), by product and all together; a line whose variant
    # was since deleted counts under "" (no product).
    for metric, dimension in (
        (metrics.PRODUCT_REVENUE_VND, Variant.product_id),
        (metrics.GOODS_REVENUE_VND, None),
    ):
        yield _grouped(
            metric,
            OrderLine.__table__.outerjoin(Variant, Variant.id == OrderLine.variant_id),
            paid.c.paid_at,
            func.sum(OrderLine.line_total_vnd),
            dimension,
            (Order, Order.id == OrderLine.order_id),
            *joins,
            where=still_paid,
            since=since,
        )


def _first_orders_and_sales() -> Iterable[Row]:
    """Per farm: the day of its first order, and the days from its registration to its
    first sale (its first paid order), counted here (one row per farm). The days are the
    dimension and the value the number of farms, so any period's median can be read from
    the summed rows."""
    paid = _paid_at()
    first_paid = (
        select(Order.farm_id, func.min(paid.c.paid_at).label("first_paid"))
        .join(paid, paid.c.order_id == Order.id)
        .where(Order.payment_status == PaymentStatus.PAID.value)
        .group_by(Order.farm_id)
        .subquery()
    )
    first_placed = (
        select(Order.farm_id, func.min(Order.created_at).label("first_placed"))
        .group_by(Order.farm_id)
        .subquery()
    )
    statement = (
        select(
            Farm.kind,
            *_PLACE,
            Farm.created_at,
            first_placed.c.first_placed,
            first_paid.c.first_paid,
        )
        .select_from(Farm)
        .join(first_placed, first_placed.c.farm_id == Farm.id)
        .outerjoin(first_paid, first_paid.c.farm_id == Farm.id)
    )
    for kind, province, commune, registered, placed, sold in db.session.execute(statement):
        yield metrics.first_order(kind), province, _vn(placed), commune, "", 1
        if sold is not None:
            days = (_vn(sold) - _vn(registered)).days
            yield metrics.FIRST_SALE_DAYS, province, _vn(sold), commune, str(days), 1


def _vn(moment) -> date:
    # An aggregate over a time comes back as text from SQLite.
    if not isinstance(moment, datetime):
        moment = datetime.fromisoformat(str(moment))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return day_in_vietnam(moment)


_PUBLISHED = (Product.status == ProductStatus.PUBLISHED.value,)
_LISTED_SINCE = func.coalesce(Product.published_at, Product.created_at)


def _listings() -> Iterable[Select]:
    yield _grouped(
        metrics.PRODUCTS_LISTED,
        Product,
        _LISTED_SINCE,
        func.count(Product.id),
        Product.category,
        _by_farm(Product),
        where=_PUBLISHED,
    )


def _first_listings() -> Iterable[Row]:
    """Per farm: 1 from the day it first published a product it still has published."""
    statement = (
        select(Farm.kind, *_PLACE, func.min(_LISTED_SINCE))
        .join(Product, Product.farm_id == Farm.id)
        .where(*_PUBLISHED)
        .group_by(Farm.id, Farm.kind, *_PLACE)
    )
    for kind, province, commune, first in db.session.execute(statement):
        yield metrics.listing(kind), province, _vn(first), commune, "", 1


def _ocop() -> Iterable[Row]:
    """Verified OCOP stars of published products: +1 from the day verified, -1 from the day
    after they expire; and 1 on the expiry day, for "expiring in 90 days"."""
    statement = (
        select(OcopCertificate, *_PLACE)
        .join(Product, Product.id == OcopCertificate.product_id)
        .join(Farm, Farm.id == Product.farm_id)
        .where(
            OcopCertificate.verified_at.is_not(None),
            Product.status == ProductStatus.PUBLISHED.value,
        )
    )
    for ocop, province, commune in db.session.execute(statement):
        verified_on = _vn(ocop.verified_at)
        yield metrics.OCOP_EXPIRING, province, ocop.expires_on, commune, "", 1
        if verified_on > ocop.expires_on:
            continue  # verified after it expired: it never counted
        stars = f"{ocop.stars}:{ocop.level}"
        yield metrics.OCOP_PRODUCTS, province, verified_on, commune, stars, 1
        if ocop.expires_on >= LAST_DAY:
            continue  # no day after it to stop on (a farmer may type 31/12/9999)
        yield (
            metrics.OCOP_PRODUCTS,
            province,
            ocop.expires_on + timedelta(days=1),
            commune,
            stars,
            -1,
        )


def _certificates() -> Iterable[Select]:
    # Dated by the expiry day itself (a date, not a time: no day in Vietnam to take).
    yield (
        select(
            literal(metrics.CERT_EXPIRING, String(40)),
            Farm.province_code,
            Certification.expires_on,
            Farm.commune,
            literal("", String(40)),
            func.count(Certification.id),
        )
        .join(Farm, Farm.id == Certification.farm_id)
        .where(Certification.verified_at.is_not(None))
        .group_by(Certification.expires_on, *_PLACE)
    )


def _batches(since: datetime | None) -> Iterable[Select]:
    yield _grouped(
        metrics.BATCHES,
        Batch,
        Batch.created_at,
        func.count(Batch.id),
        None,
        _by_farm(Batch),
        since=since,
    )
    yield _grouped(
        metrics.RECALLS,
        Batch,
        Batch.recalled_at,
        func.count(Batch.id),
        None,
        _by_farm(Batch),
        where=(Batch.recalled_at.is_not(None),),
        since=since,
    )


def _shipped_lines(since: datetime | None) -> Iterable[Select]:
    """Lines of orders that were shipped, on the day they first were; and those of them that
    say which batch (or batches) their units came from."""
    shipped = (
        select(OrderEvent.order_id, func.min(OrderEvent.created_at).label("shipped_at"))
        .where(
            OrderEvent.kind == OrderEventKind.STATUS.value,
            OrderEvent.to_state == OrderStatus.SHIPPED.value,
        )
        .group_by(OrderEvent.order_id)
        .subquery()
    )
    joins = (
        (Order, Order.id == OrderLine.order_id),
        (shipped, shipped.c.order_id == Order.id),
        _by_farm(Order),
    )
    traced = exists().where(BatchAllocation.order_line_id == OrderLine.id)
    yield _grouped(
        metrics.SHIPPED_LINES,
        OrderLine,
        shipped.c.shipped_at,
        func.count(OrderLine.id),
        None,
        *joins,
        since=since,
    )
    yield _grouped(
        metrics.SHIPPED_LINES_TRACED,
        OrderLine,
        shipped.c.shipped_at,
        func.count(OrderLine.id),
        None,
        *joins,
        where=(traced,),
        since=since,
    )


def _labels(since: datetime | None) -> Iterable[Select]:
    yield _grouped(
        metrics.LABELS,
        LabelRun,
        LabelRun.created_at,
        func.sum(LabelRun.count),
        None,
        (Batch, Batch.id == LabelRun.batch_id),
        _by_farm(Batch),
        since=since,
    )


def _scans(since: datetime | None) -> Iterable[Select]:
    # Scans of issued labels by people: link previews (bots) and unknown serials are not.
    yield _grouped(
        metrics.SCANS,
        LabelScan,
        LabelScan.scanned_at,
        func.count(LabelScan.id),
        None,
        (Batch, Batch.id == LabelScan.batch_id),
        _by_farm(Batch),
        where=(LabelScan.label_id.is_not(None), LabelScan.device != "bot"),
        since=since,
    )


def _verifications(since: datetime | None) -> Iterable[Select]:
    yield _grouped(
        metrics.FARMS_VERIFIED,
        Farm,
        Farm.verified_at,
        func.count(Farm.id),
        Farm.kind,
        where=(Farm.verified_at.is_not(None),),
        since=since,
    )
    for dimension, model, joins in (
        ("farm", Certification, (_by_farm(Certification),)),
        (
            "ocop",
            OcopCertificate,
            ((Product, Product.id == OcopCertificate.product_id), _by_farm(Product)),
        ),
    ):
        yield _grouped(
            metrics.CERTS_VERIFIED,
            model,
            model.verified_at,
            func.count(model.id),
            dimension,
            *joins,
            where=(model.verified_at.is_not(None),),
            since=since,
        )
