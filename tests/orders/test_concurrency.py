"""A lychee flash sale on PostgreSQL: 40 buyers at once for the last 10 boxes."""

import threading

import pytest

from app.clock import local_today
from app.extensions import db
from orders import services
from products.models import Variant
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

BUYERS = 40
BOXES = 10


@pytest.fixture
def flash_sale(database_factory, tmp_path):
    """A database of its own with committed data, since each buyer has its own connection."""
    app = make_test_app(
        database_factory("postgresql", "flash_sale"),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 25},
    )
    upgrade_schema(app)
    with app.app_context():
        product = make_product(deliver_everywhere(make_farm()), name="Vải thiều flash sale")
        variant = product.variants[0]
        variant.stock = BOXES
        db.session.commit()
        variant_id, price = variant.id, variant.price_vnd
    yield app, variant_id, price
    with app.app_context():
        db.engine.dispose()


def test_exactly_ten_of_forty_buyers_get_a_box(flash_sale):
    app, variant_id, price = flash_sale
    start = threading.Barrier(BUYERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy():
        with app.app_context():
            start.wait()
            try:
                services.place_order(
                    {variant_id: 1},
                    buyer=None,
                    contact=hanoi_contact(),
                    payment_method="cod",
                    shown_prices={variant_id: price},
                    today=local_today(),
                )
                db.session.commit()
                outcome = "bought"
            except services.SoldOut as sold_out:
                db.session.rollback()
                outcome = "sold out: " + str(sold_out.message)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=buy) for _ in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("bought") == BOXES
    refused = [o for o in outcomes if o != "bought"]
    assert len(refused) == BUYERS - BOXES
    assert all("Sold out" in o or "Hết hàng" in o for o in refused), refused[:1]
    with app.app_context():
        assert db.session.get(Variant, variant_id).stock == 0
    assert ledger_mismatches_in(app) == []
