"""The "nothing changed" helper the refusal tests rely on must itself see every change."""

from app.extensions import db
from farms.models import Farm
from orders.models import DeliverySettings
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot, table_snapshot


def test_a_change_left_in_the_session_is_seen(app):
    # Given a committed farm
    farm = make_farm(name="Vườn cam")
    db.session.commit()
    before = database_snapshot()

    # When a service changes it and stops before flushing, then the snapshot sees it
    farm.name = "Vườn bưởi"
    assert database_snapshot() != before
    assert table_snapshot(Farm)["farm"] != before["farm"]

    # And once the change is rolled back, the database is as it was
    db.session.rollback()
    assert database_snapshot() == before


def test_a_change_committed_by_a_request_is_seen_and_one_table_can_be_left_out(client):
    # Given a farmer signed in (signing in itself writes to the account)
    farm = make_farm()
    farm.members[0].user.phone = "+84912000777"
    db.session.commit()
    log_in(client, "0912000777")
    before = database_snapshot()

    # When a request commits a change to the farm's delivery settings
    client.post_form(
        f"/dashboard/farms/{farm.id}/delivery",
        {"min_order_vnd": "50000", "pickup_enabled": "y", "pickup_address": "Tại vườn"},
    )

    # Then the snapshot sees it, unless that table is left out
    assert database_snapshot() != before
    assert database_snapshot(excluding=[DeliverySettings]) == {
        name: rows for name, rows in before.items() if name != "delivery_settings"
    }
