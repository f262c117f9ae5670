"""Open data: the aggregate figures per province and month, for anyone (no personal data:
counts and sums over a province's farms), read from the dashboard's summary table."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.geo import province_by_code
from dashboard import metrics
from dashboard.confidentiality import too_few_sellers
from dashboard.local_day import month_of
from dashboard.models import DailyFigure
from dashboard.periods import period_of
from dashboard.refresh import last_refreshed_at

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "figures.schema.json"

#: A record's field: (the metric it sums, whether it is a stock read at the month's end).
FIELDS = {
    "households_selling": (metrics.listing("household"), True),
    "cooperatives_selling": (metrics.listing("cooperative"), True),
    "products_listed": (metrics.PRODUCTS_LISTED, True),
    "ocop_products": (metrics.OCOP_PRODUCTS, True),
    "orders": (metrics.ORDERS, False),
    "transactions_paid": (metrics.PAID_ORDERS, False),
    "revenue_vnd": (metrics.REVENUE_VND, False),
    "batches_recorded": (metrics.BATCHES, False),
    "labels_issued": (metrics.LABELS, False),
    "label_scans": (metrics.SCANS, False),
    "recalls": (metrics.RECALLS, False),
    "farms_verified": (metrics.FARMS_VERIFIED, False),
}
KEYS = ("province_code", "province_name", "month", *FIELDS)
#: Published as null where too few businesses sell (dashboard.confidentiality).
CONFIDENTIAL = ("orders", "transactions_paid", "revenue_vnd")


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def monthly_records(today: date, province: str | None = None) -> list[dict]:
    """One record per province and month, from the province's first month with a figure to
    the current month; stocks carry over the months with nothing new."""
    last_day = period_of("month", today).last
    month = month_of(DailyFigure.day)
    statement = (
        select(DailyFigure.province_code, DailyFigure.metric, month, func.sum(DailyFigure.value))
        .where(
            DailyFigure.metric.in_({metric for metric, _ in FIELDS.values()}),
            DailyFigure.day <= last_day,
        )
        .group_by(DailyFigure.province_code, DailyFigure.metric, month)
    )
    if province:
        statement = statement.where(DailyFigure.province_code == province)
    sums: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for code, metric, month_key, total in db.session.execute(statement):
        sums[code][(metric, month_key)] = int(total)
    records = []
    for code in sorted(sums):
        name = province_by_code(code).display_name if province_by_code(code) else code
        running = dict.fromkeys(FIELDS, 0)
        for month_key in _months(min(m for _, m in sums[code]), last_day):
            record = {"province_code": code, "province_name": name, "month": month_key}
            for field, (metric, stock) in FIELDS.items():
                value = sums[code].get((metric, month_key), 0)
                running[field] += value
                record[field] = running[field] if stock else value
            if too_few_sellers(record["households_selling"], record["cooperatives_selling"]):
                record.update(dict.fromkeys(CONFIDENTIAL))
            records.append(record)
    return records


def _months(first: str, last_day: date) -> list[str]:
    year, month = (int(part) for part in first.split("-"))
    months = []
    while (year, month) <= (last_day.year, last_day.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def document(today: date, province: str | None, schema_url: str) -> dict:
    refreshed = last_refreshed_at()
    return {
        "title": "Nông Sản Số: số liệu tổng hợp theo tỉnh và tháng",
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "schema": schema_url,
        "refreshed_at": refreshed.isoformat() if refreshed else None,
        "records": monthly_records(today, province),
    }


def dcat_catalog(urls: dict[str, str], modified: str | None) -> dict:
    """A DCAT description (JSON-LD) a national open-data portal can harvest."""
    distributions = [
        {
            "@type": "dcat:Distribution",
            "dct:title": title,
            "dcat:downloadURL": {"@id": urls[key]},
            "dcat:mediaType": media_type,
            "dct:license": {"@id": LICENCE_URL},
            **({"dct:conformsTo": {"@id": urls["schema"]}} if key == "json" else {}),
        }
        for key, title, media_type in (
            ("json", "JSON", "application/json"),
            ("csv", "CSV", "text/csv"),
        )
    ]
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@type": "dcat:Catalog",
        "@id": urls["catalog"],
        "dct:title": "Nông Sản Số — dữ liệu mở",
        "dct:license": {"@id": LICENCE_URL},
        "dcat:dataset": [
            {
                "@type": "dcat:Dataset",
                "@id": urls["page"],
                "dct:title": "Số liệu sàn nông sản theo tỉnh và tháng",
                "dct:description": (
                    "Hộ và hợp tác xã đang bán, sản phẩm, sản phẩm OCOP, đơn hàng, giao dịch "
                    "đã thanh toán, doanh thu, lô hàng, tem, lượt quét tem, thu hồi và cơ sở "
                    "được xác minh, theo tỉnh của cơ sở và tháng; không có dữ liệu cá nhân."
                ),
                "dct:language": "vi",
                "dct:license": {"@id": LICENCE_URL},
                "dct:spatial": "Việt Nam (34 tỉnh, thành phố)",
                "dct:accrualPeriodicity": {"@id": "http://purl.org/cld/freq/continuous"},
                **({"dct:modified": modified} if modified else {}),
                "dcat:keyword": ["nông sản", "OCOP", "thương mại điện tử", "truy xuất nguồn gốc"],
                "dcat:landingPage": {"@id": urls["page"]},
                "dcat:distribution": distributions,
            }
        ],
    }


#: What each field counts, for the documentation page (the schema says it in English).
FIELD_LABELS = {
    "province_code": _l("Two-digit code of the province (34 units since 1 July 2025)"),
    "province_name": _l("Name of the province"),
    "month": _l("Calendar month in Vietnam’s time, YYYY-MM"),
    "households_selling": _l("Households with a product published now, at the month’s end"),
    "cooperatives_selling": _l("Cooperatives with a product published now, at the month’s end"),
    "products_listed": _l("Products published now, at the month’s end"),
    "ocop_products": _l("Published products with a verified, unexpired OCOP decision"),
    "orders": _l("Orders placed in the month, in any state"),
    "transactions_paid": _l("Orders paid now, by the month their payment was recorded"),
    "revenue_vnd": _l("Totals of those paid orders, goods and delivery, in đồng"),
    "batches_recorded": _l("Batches the farms created in the month"),
    "labels_issued": _l("QR labels printed in the month"),
    "label_scans": _l("Scans of issued labels in the month"),
    "recalls": _l("Batches recalled in the month"),
    "farms_verified": _l("Farms whose identity an operator verified in the month"),
}
