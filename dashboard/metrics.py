"""The names of the summary table's metrics, shared by the refresh that writes them and the
figures that read them. A flow is summed over the period's days; a stock over every day up
to the period's end (its rows are +1 when a thing starts to count, -1 when it stops)."""

from __future__ import annotations

FARM_KINDS = ("household", "cooperative", "company")

# Flows: what happened on the day.
ORDERS = "orders"  # orders placed
PAID_ORDERS = "paid_orders"  # by payment method
REVENUE_VND = "revenue_vnd"  # by payment method
REVENUE_TO_VND = "revenue_to_vnd"  # by delivery province
PAID_ORDERS_TO = "paid_orders_to"  # by delivery province
PRODUCT_REVENUE_VND = "product_revenue_vnd"  # by product id
#: The same, of the products with the most in each period and place only (the summary's).
TOP_PRODUCT_REVENUE_VND = "top_product_revenue_vnd"
GOODS_REVENUE_VND = "goods_revenue_vnd"  # the same for all products (read without them)
BATCHES = "batches"
SHIPPED_LINES = "shipped_lines"
SHIPPED_LINES_TRACED = "shipped_lines_traced"
LABELS = "labels"
SCANS = "scans"
RECALLS = "recalls"
FARMS_VERIFIED = "farms_verified"  # by farm kind
CERTS_VERIFIED = "certs_verified"  # "farm" or "ocop"
FIRST_SALE_DAYS = "first_sale_days"  # farms, by the days from registration to first paid order


def selling(kind: str) -> str:
    """Orders of a farm of this kind on the day, by farm id (counted as distinct farms)."""
    return f"selling_{kind}"


def first_order(kind: str) -> str:
    """The farms of this kind whose first order ever was placed on the day."""
    return f"first_order_{kind}"


def listing(kind: str) -> str:
    """Stock: 1 from the day a farm first published a product it still has published."""
    return f"listing_{kind}"


# Stocks.
PRODUCTS_LISTED = "products_listed"  # by category
OCOP_PRODUCTS = "ocop_products"  # by "stars:level"
# Dated by the expiry day, read for the 90 days from today.
OCOP_EXPIRING = "ocop_expiring"
CERT_EXPIRING = "cert_expiring"

SELLING = tuple(selling(kind) for kind in FARM_KINDS)
STOCKS = (PRODUCTS_LISTED, OCOP_PRODUCTS, *(listing(kind) for kind in FARM_KINDS))
EXPIRIES = (OCOP_EXPIRING, CERT_EXPIRING)
FLOWS = (
    ORDERS,
    PAID_ORDERS,
    REVENUE_VND,
    REVENUE_TO_VND,
    PAID_ORDERS_TO,
    PRODUCT_REVENUE_VND,
    GOODS_REVENUE_VND,
    BATCHES,
    SHIPPED_LINES,
    SHIPPED_LINES_TRACED,
    LABELS,
    SCANS,
    RECALLS,
    FARMS_VERIFIED,
    CERTS_VERIFIED,
    FIRST_SALE_DAYS,
    *(first_order(kind) for kind in FARM_KINDS),
    # Read as a flow too: the farms whose first listing falls in the period are new ones.
    *(listing(kind) for kind in FARM_KINDS),
)
#: Every metric, once.
ALL = tuple(dict.fromkeys((*FLOWS, *SELLING, *STOCKS, *EXPIRIES)))
