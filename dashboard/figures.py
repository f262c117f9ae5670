"""The figures the provinces report, each with its definition: what is counted, from which
records. Built from two readings of the summary table, the period's and the one before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

from dashboard import metrics
from dashboard.readings import Reading

COUNT, VND, PERCENT, DAYS = "count", "vnd", "percent", "days"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    #: COUNT, VND, PERCENT (a share from 0 to 1) or DAYS.
    kind: str
    current: float | None
    #: None where a comparison means nothing (what expires from today on).
    previous: float | None
    compared: bool = True

    @property
    def change(self) -> float | None:
        if not self.compared or self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def relative_change(self) -> float | None:
        """The change as a share of the previous value (counts and đồng only)."""
        if self.change is None or self.kind in (PERCENT, DAYS) or not self.previous:
            return None
        return self.change / self.previous


@dataclass(frozen=True)
class Definition:
    label: object
    definition: object
    kind: str = COUNT


DEFINITIONS = {
    "households_listing": Definition(
        _l("Households selling (a published product)"),
        _l(
            "Households with at least one product published now, counted from the day their "
            "first such product was published (by the farm’s province and commune)."
        ),
    ),
    "cooperatives_listing": Definition(
        _l("Cooperatives selling (a published product)"),
        _l(
            "Cooperatives with at least one product published now, counted from the day their "
            "first such product was published (by the farm’s province and commune)."
        ),
    ),
    "households_ordered": Definition(
        _l("Households with an order in the period"),
        _l(
            "Distinct households with at least one order placed in the period, whatever "
            "became of the order."
        ),
    ),
    "cooperatives_ordered": Definition(
        _l("Cooperatives with an order in the period"),
        _l(
            "Distinct cooperatives with at least one order placed in the period, whatever "
            "became of the order."
        ),
    ),
    "new_households": Definition(
        _l("New households selling"),
        _l("Households whose first product still published was published in the period."),
    ),
    "new_cooperatives": Definition(
        _l("New cooperatives selling"),
        _l("Cooperatives whose first product still published was published in the period."),
    ),
    "first_orders": Definition(
        _l("Farms with their first order"),
        _l(
            "Farms (households, cooperatives, companies) whose first order ever was placed in "
            "the period."
        ),
    ),
    "products_listed": Definition(
        _l("Products listed"),
        _l(
            "Products published now, counted from the day they were published; at the last "
            "day of the period. By category in the table below."
        ),
    ),
    "ocop_products": Definition(
        _l("OCOP products"),
        _l(
            "Published products whose OCOP decision an operator verified, from the day it was "
            "verified until the day it expires; at the last day of the period. By stars and "
            "certifying level in the table below."
        ),
    ),
    "ocop_expiring": Definition(
        _l("OCOP decisions expiring in 90 days"),
        _l(
            "Verified OCOP decisions of published products that expire from today to 90 days "
            "ahead, whatever the period chosen."
        ),
    ),
    "certificates_expiring": Definition(
        _l("Farm certificates expiring in 90 days"),
        _l(
            "Verified VietGAP, GlobalGAP, organic and other farm certificates that expire from "
            "today to 90 days ahead, whatever the period chosen."
        ),
    ),
    "orders": Definition(
        _l("Orders placed"),
        _l(
            "Orders (one per farm and checkout) placed in the period, in any state, even cancelled."
        ),
    ),
    "paid_orders": Definition(
        _l("Transactions paid"),
        _l(
            "Orders paid now (by transfer, card or cash on delivery), counted on the day their "
            "payment was recorded; refunded ones are not."
        ),
    ),
    "revenue_vnd": Definition(
        _l("Revenue"),
        _l(
            "The totals (goods and delivery) of the transactions paid, in đồng. By payment "
            "method and delivery province in the tables below; by product without delivery."
        ),
        VND,
    ),
    "batches": Definition(
        _l("Batches recorded"), _l("Batches created by the farms in the period.")
    ),
    "traced_share": Definition(
        _l("Shipped order lines linked to a batch"),
        _l(
            "Of the lines of orders shipped in the period (by the day first marked shipped), "
            "the share packed from a named batch."
        ),
        PERCENT,
    ),
    "labels": Definition(
        _l("Labels issued"), _l("QR labels printed for the farms’ batches in the period.")
    ),
    "scans": Definition(
        _l("Label scans"),
        _l(
            "Scans of issued labels in the period; link previews and unknown serials are not "
            "counted."
        ),
    ),
    "recalls": Definition(_l("Recalls"), _l("Batches recalled in the period.")),
    "farms_verified": Definition(
        _l("Farms verified"), _l("Farms whose identity an operator verified in the period.")
    ),
    "certificates_verified": Definition(
        _l("Certificates verified"),
        _l("Farm certificates an operator verified in the period."),
    ),
    "ocop_verified": Definition(
        _l("OCOP decisions verified"), _l("OCOP decisions an operator verified in the period.")
    ),
    "days_to_first_sale": Definition(
        _l("Median days from registration to first sale"),
        _l(
            "For the farms whose first paid order was paid in the period: the median number "
            "of days between the farm’s registration and that payment."
        ),
        DAYS,
    ),
}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _values(reading: Reading) -> dict[str, float | None]:
    selling = reading.distinct_farms
    return {
        "households_listing": reading.stock(metrics.listing("household")),
        "cooperatives_listing": reading.stock(metrics.listing("cooperative")),
        "households_ordered": selling.get(metrics.selling("household"), 0),
        "cooperatives_ordered": selling.get(metrics.selling("cooperative"), 0),
        "new_households": reading.flow(metrics.listing("household")),
        "new_cooperatives": reading.flow(metrics.listing("cooperative")),
        "first_orders": sum(reading.flow(metrics.first_order(k)) for k in metrics.FARM_KINDS),
        "products_listed": reading.stock(metrics.PRODUCTS_LISTED),
        "ocop_products": reading.stock(metrics.OCOP_PRODUCTS),
        "orders": reading.flow(metrics.ORDERS),
        "paid_orders": reading.flow(metrics.PAID_ORDERS),
        "revenue_vnd": reading.flow(metrics.REVENUE_VND),
        "batches": reading.flow(metrics.BATCHES),
        "traced_share": _share(
            reading.flow(metrics.SHIPPED_LINES_TRACED), reading.flow(metrics.SHIPPED_LINES)
        ),
        "labels": reading.flow(metrics.LABELS),
        "scans": reading.flow(metrics.SCANS),
        "recalls": reading.flow(metrics.RECALLS),
        "farms_verified": reading.flow(metrics.FARMS_VERIFIED),
        "certificates_verified": reading.flow(metrics.CERTS_VERIFIED, "farm"),
        "ocop_verified": reading.flow(metrics.CERTS_VERIFIED, "ocop"),
        "days_to_first_sale": reading.median_days_to_first_sale,
    }


def build_figures(current: Reading, previous: Reading, expiring: dict[str, int]) -> list[Figure]:
    now, before = _values(current), _values(previous)
    now["ocop_expiring"] = expiring.get(metrics.OCOP_EXPIRING, 0)
    now["certificates_expiring"] = expiring.get(metrics.CERT_EXPIRING, 0)
    figures = []
    for key, definition in DEFINITIONS.items():
        compared = key in before
        figures.append(
            Figure(
                key=key,
                label=str(definition.label),
                definition=str(definition.definition),
                kind=definition.kind,
                current=now[key],
                previous=before.get(key),
                compared=compared,
            )
        )
    return figures


def reworded(figures: list[Figure], definitions: Mapping[str, object]) -> list[Figure]:
    """The figures with the definitions `definitions` gives (by key, lazy strings welcome) in
    place of the dashboard's: a page or document laid out otherwise (no table by category,
    tables before the definitions) says in its own words where the breakdowns are."""
    return [
        replace(figure, definition=str(definitions[figure.key]))
        if figure.key in definitions
        else figure
        for figure in figures
    ]


#: The page's sections, in the issue's order.
GROUPS = (
    (
        _l("Farms selling"),
        (
            "households_listing",
            "cooperatives_listing",
            "households_ordered",
            "cooperatives_ordered",
            "new_households",
            "new_cooperatives",
            "first_orders",
        ),
    ),
    (
        _l("Products and OCOP"),
        ("products_listed", "ocop_products", "ocop_expiring", "certificates_expiring"),
    ),
    (_l("Orders and revenue"), ("orders", "paid_orders", "revenue_vnd")),
    (_l("Traceability"), ("batches", "traced_share", "labels", "scans", "recalls")),
    (
        _l("Verification"),
        ("farms_verified", "certificates_verified", "ocop_verified", "days_to_first_sale"),
    ),
)


def grouped(figures: list[Figure]) -> list[tuple[str, list[Figure]]]:
    by_key = {figure.key: figure for figure in figures}
    return [(str(title), [by_key[key] for key in keys]) for title, keys in GROUPS]
