"""The dashboard's tables, one shape for the page, the CSV and the XLSX: a title, typed
columns (text, a count, đồng, a share, days) and rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.geo import province_by_code
from dashboard import metrics
from dashboard.figures import COUNT, VND, Figure
from dashboard.readings import Reading
from orders.forms import PAYMENT_LABELS
from products.models import CATEGORY_LABELS, OCOP_LEVEL_LABELS

TEXT = "text"
#: A column whose kind is each row's own (the figures table mixes counts and đồng).
ROW_KIND = "row"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT
    #: What the column holds (a metric), for code that picks it out: its place may change.
    key: str | None = None


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    #: The kind of each row's ROW_KIND cells.
    row_kinds: list[str] = field(default_factory=list)

    def column_of(self, key: str) -> int:
        """The place of the column holding `key` (a KeyError if there is none)."""
        for place, column in enumerate(self.columns):
            if column.key == key:
                return place
        raise KeyError(key)

    def kind_of(self, row: int, column: int) -> str:
        kind = self.columns[column].kind
        return self.row_kinds[row] if kind == ROW_KIND else kind


TABLE_KEYS = (
    "figures",
    "months",
    "provinces",
    "categories",
    "ocop",
    "payment_methods",
    "delivery_provinces",
    "products",
)


def figures_table(figures: list[Figure]) -> Table:
    table = Table(
        "figures",
        _("Figures"),
        [
            Column(_("Figure"), TEXT),
            Column(_("This period"), ROW_KIND),
            Column(_("Previous period"), ROW_KIND),
            Column(_("Change"), ROW_KIND),
            Column(_("Definition"), TEXT),
        ],
    )
    for figure in figures:
        table.rows.append(
            [figure.label, figure.current, figure.previous, figure.change, figure.definition]
        )
        table.row_kinds.append(figure.kind)
    return table


def _split_table(key, title, first, current: dict, previous: dict, name, kind=COUNT) -> Table:
    table = Table(
        key,
        title,
        [Column(first, TEXT), Column(_("This period"), kind), Column(_("Previous period"), kind)],
    )
    for dimension in sorted(set(current) | set(previous), key=lambda d: -current.get(d, 0)):
        if current.get(dimension, 0) or previous.get(dimension, 0):
            table.rows.append(
                [name(dimension), current.get(dimension, 0), previous.get(dimension, 0)]
            )
    return table


def categories_table(current: Reading, previous: Reading) -> Table:
    return _split_table(
        "categories",
        _("Products listed by category"),
        _("Category"),
        current.split(metrics.PRODUCTS_LISTED, stock=True),
        previous.split(metrics.PRODUCTS_LISTED, stock=True),
        lambda category: str(CATEGORY_LABELS.get(category, category)),
    )


def ocop_table(current: Reading, previous: Reading) -> Table:
    def name(dimension: str) -> str:
        stars, _sep, level = dimension.partition(":")
        return _(
            "%(stars)s stars, %(level)s", stars=stars, level=OCOP_LEVEL_LABELS.get(level, level)
        )

    return _split_table(
        "ocop",
        _("OCOP products by stars and certifying level"),
        _("Stars and level"),
        current.split(metrics.OCOP_PRODUCTS, stock=True),
        previous.split(metrics.OCOP_PRODUCTS, stock=True),
        name,
    )


def _paid_table(key, title, first, current, previous, count_metric, revenue_metric, name):
    table = Table(
        key,
        title,
        [
            Column(first, TEXT),
            Column(_("Transactions paid"), COUNT),
            Column(_("Revenue (đồng)"), VND),
            Column(_("Revenue, previous period"), VND),
        ],
    )
    counts, revenue = current.split(count_metric), current.split(revenue_metric)
    before = previous.split(revenue_metric)
    for dimension in sorted(set(revenue) | set(before), key=lambda d: -revenue.get(d, 0)):
        table.rows.append(
            [
                name(dimension),
                counts.get(dimension, 0),
                revenue.get(dimension, 0),
                before.get(dimension, 0),
            ]
        )
    return table


def payment_methods_table(current: Reading, previous: Reading) -> Table:
    return _paid_table(
        "payment_methods",
        _("Revenue by payment method"),
        _("Payment method"),
        current,
        previous,
        metrics.PAID_ORDERS,
        metrics.REVENUE_VND,
        lambda method: str(PAYMENT_LABELS.get(method, method)),
    )


def delivery_provinces_table(current: Reading, previous: Reading) -> Table:
    def name(code: str) -> str:
        province = province_by_code(code)
        return province.display_name if province else code

    return _paid_table(
        "delivery_provinces",
        _("Revenue by delivery province (where the produce goes)"),
        _("Delivery province"),
        current,
        previous,
        metrics.PAID_ORDERS_TO,
        metrics.REVENUE_TO_VND,
        name,
    )


def products_table(current: Reading, previous: Reading, names: dict[str, str]) -> Table:
    """The products with the most revenue in the period (period_summary.PRODUCTS_SHOWN), then
    one row for all the others, so the column adds up to the period's revenue from goods."""
    shown_now = current.split(metrics.PRODUCT_REVENUE_VND)
    shown_before = previous.split(metrics.PRODUCT_REVENUE_VND)
    table = _split_table(
        "products",
        _("Revenue by product (goods only, without delivery)"),
        _("Product"),
        shown_now,
        shown_before,
        lambda product_id: names.get(product_id) or _("A product no longer listed"),
        VND,
    )
    rest_now = current.product_revenue_vnd - sum(shown_now.values())
    rest_before = previous.product_revenue_vnd - sum(shown_before.values())
    if rest_now or rest_before:
        table.rows.append([_("All other products"), rest_now, rest_before])
    return table


def months_table(series: dict[str, dict[str, int]], months: list[str]) -> Table:
    """The twelve months up to the period's end, oldest first (the monthly series' numbers)."""
    table = Table(
        "months",
        _("Month by month (the twelve months up to the end of the period)"),
        [
            Column(_("Month"), TEXT),
            Column(_("Orders placed"), COUNT),
            Column(_("Transactions paid"), COUNT),
            Column(_("Revenue (đồng)"), VND),
            Column(_("Label scans"), COUNT),
        ],
    )
    for month in months:
        values = series.get(month, {})
        table.rows.append(
            [
                f"{month[5:]}/{month[:4]}",
                values.get(metrics.ORDERS, 0),
                values.get(metrics.PAID_ORDERS, 0),
                values.get(metrics.REVENUE_VND, 0),
                values.get(metrics.SCANS, 0),
            ]
        )
    return table


def provinces_table(provinces: dict[str, dict[str, int]]) -> Table:
    """The provinces side by side (by the farms' province), most revenue first."""
    table = Table(
        "provinces",
        _("Provinces side by side (the farms’ province)"),
        [
            Column(_("Province"), TEXT),
            Column(_("Households selling"), COUNT, metrics.listing("household")),
            Column(_("Cooperatives selling"), COUNT, metrics.listing("cooperative")),
            Column(_("Products listed"), COUNT, metrics.PRODUCTS_LISTED),
            Column(_("OCOP products"), COUNT, metrics.OCOP_PRODUCTS),
            Column(_("Orders placed"), COUNT, metrics.ORDERS),
            Column(_("Transactions paid"), COUNT, metrics.PAID_ORDERS),
            Column(_("Revenue (đồng)"), VND, metrics.REVENUE_VND),
        ],
    )
    metrics_in_order = [column.key for column in table.columns[1:]]
    ranked = sorted(
        provinces.items(), key=lambda item: (-item[1].get(metrics.REVENUE_VND, 0), item[0])
    )
    for code, values in ranked:
        province = province_by_code(code)
        table.rows.append(
            [
                province.display_name if province else code,
                *(values.get(metric, 0) for metric in metrics_in_order),
            ]
        )
    return table
