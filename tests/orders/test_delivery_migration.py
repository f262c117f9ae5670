"""The delivery migration moves existing rows: shipped orders get the code of the carrier
their free-text name means, and existing zones get a delivery time."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.extensions import db
from orders import services
from orders.delivery import set_zone
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product
from tests.support.database import upgrade_schema

REVISION = "d2eb69529c56"


@pytest.fixture
def migrated_app(request, backend, database_factory, tmp_path):
    # A database of its own per test: PostgreSQL keeps names for the whole session.
    name = "migration_" + request.node.originalname.removeprefix("test_")[:40]
    app = make_test_app(database_factory(backend, name), str(tmp_path))
    upgrade_schema(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


#: Names farms typed before there was a list, and the code each one means.
TYPED = {
    "Giao Hàng Nhanh": "ghn",
    "GHN": "ghn",
    "giao hang tiet kiem": "ghtk",
    "GHTK": "ghtk",
    "Viettel Post": "viettel_post",
    "Bưu điện": "vnpost",
    "EMS": "vnpost",
    "J&T": "jt_express",
    "J&T Express": "jt_express",
    "Ninja Van": "ninja_van",
    "BEST Express": "best_express",
    "Xe khách Thành Hưng": "other",
}


def test_existing_orders_get_the_code_of_the_carrier_they_name(migrated_app):
    # Given orders shipped before the migration, with the carrier typed as free text
    with migrated_app.app_context():
        farm = deliver_everywhere(make_farm(name="Vườn vải"))
        owner = farm.members[0].user
        variant = make_product(farm).variants[0]
        shipped = {}
        for typed in TYPED:
            order = make_order(variant, payment_method="cod")
            services.pack_order(order, owner)
            services.ship_order(order, owner, carrier="ghn", tracking_number="A1")
            shipped[order.id] = typed
        pending = make_order(variant, payment_method="cod").id
        db.session.commit()
        flask_migrate.downgrade(revision=_parent(migrated_app))
        with db.engine.begin() as connection:
            for order_id, typed in shipped.items():
                connection.execute(
                    text("UPDATE farm_order SET carrier = :name WHERE id = :id"),
                    {"name": typed, "id": order_id},
                )

        # When the migration runs
        flask_migrate.upgrade()

        with db.engine.connect() as connection:
            rows = {
                row.id: row
                for row in connection.execute(
                    text("SELECT id, carrier, carrier_code, tracking_number FROM farm_order")
                )
            }
    # Then each shipped order has its code and keeps its name and number; the other has none
    for order_id, typed in shipped.items():
        assert (rows[order_id].carrier_code, rows[order_id].carrier) == (TYPED[typed], typed)
        assert rows[order_id].tracking_number == "A1"
    assert rows[pending].carrier_code is None


def test_existing_zones_get_a_short_time_at_home_and_a_longer_one_elsewhere(migrated_app):
    # Given a farm in Hải Phòng (31) delivering there, to Hà Nội and everywhere else
    with migrated_app.app_context():
        farm = deliver_everywhere(make_farm(province_code="31"))
        owner = farm.members[0].user
        for province in ("31", "01"):
            set_zone(farm, owner, province_code=province, fee_rule="flat", fee_vnd="20000")
        db.session.commit()
        flask_migrate.downgrade(revision=_parent(migrated_app))

        # When the migration runs
        flask_migrate.upgrade()

        with db.engine.connect() as connection:
            days = dict(
                (code, (low, high))
                for code, low, high in connection.execute(
                    text("SELECT province_code, min_days, max_days FROM delivery_zone")
                )
            )
    # Then the home province is 1-2 days, the others 3-5
    assert days == {"31": (1, 2), "01": (3, 5), "00": (3, 5)}


def _parent(app) -> str:
    """The revision before this migration (whatever the merge chains it after)."""
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
