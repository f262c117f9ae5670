"""The dashboard benchmark's seeding, at a toy size: the rows it writes satisfy the schema,
the refresh accepts them, and the dashboard's figures equal the benchmark's direct counts
(the check bench/dashboard.py prints at full size)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.services import create_operator
from app.clock import local_today
from app.extensions import db
from bench.dashboard_counts import Sample, compare
from bench.dashboard_seeding import Scale, seed_dashboard
from dashboard.refresh import refresh_figures
from orders.models import Order, OrderEvent, OrderLine
from products.models import Product, Variant
from tests.conftest import make_test_app
from tests.support.database import upgrade_schema
from traceability.models import Label, LabelScan

TOY = Scale(farms=80, products=68, orders=400, scans=3_000, batches=30, seed=7)


@pytest.fixture
def seeded(database_factory, tmp_path):
    app = make_test_app(database_factory("postgresql", "bench_dashboard_seed"), str(tmp_path))
    upgrade_schema(app)
    with app.app_context():
        country = create_operator("Bench Country", "0912000001", "bench-password-1")
        own = create_operator("Bench Province", "0912000031", "bench-password-1", "31")
        db.session.commit()
        seed_dashboard(TOY, say=lambda line: None)
        yield app, country, own
        db.session.rollback()
        db.engine.dispose()


@pytest.mark.postgres_only
def test_the_seeded_history_gives_the_dashboard_the_direct_counts(seeded):
    app, country, own = seeded
    assert db.session.scalar(select(func.count(Order.id))) == TOY.orders
    assert db.session.scalar(select(func.count(LabelScan.id))) == TOY.scans
    # Every order's history starts with its placing; a label counts its people's scans.
    placed = select(func.count(OrderEvent.id)).where(OrderEvent.note == "placed")
    assert db.session.scalar(placed) == TOY.orders
    counted = db.session.scalar(select(func.sum(Label.scan_count)))
    people = select(func.count(LabelScan.id)).where(
        LabelScan.label_id.is_not(None), LabelScan.device != "bot"
    )
    assert counted == db.session.scalar(people)
    # Nothing is sold before it is listed.
    sold_early = (
        select(func.count(OrderLine.id))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Variant, Variant.id == OrderLine.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(Order.created_at < func.coalesce(Product.published_at, Product.created_at))
    )
    assert db.session.scalar(sold_early) == 0

    assert refresh_figures() is True
    db.session.commit()
    today = local_today()
    last_month = today.replace(day=1) - timedelta(days=1)
    with app.test_request_context():
        for sample in (
            Sample("country, this year", country, None, "year", today),
            Sample("country, last month", country, None, "month", last_month),
            Sample("31's own view, this year", own, None, "year", today),
        ):
            same, lines = compare(sample, today)
            assert same, "\n".join(lines)
