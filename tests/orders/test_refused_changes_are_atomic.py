"""An order or delivery service that refuses leaves its objects as they were, on its own:
nothing half-written in the session that another caller (a CLI, a job) could still commit.
The refusal is caught without a rollback; the snapshot flushes the session first."""

import pytest
from sqlalchemy import select

from app.clock import local_today
from app.errors import DomainError
from app.extensions import db
from orders import services
from orders.delivery import set_delivery_settings, set_zone
from orders.models import DeliverySettings
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_checkout, make_order
from tests.products.factories import make_product, preorder_fields
from tests.support.snapshots import database_snapshot


@pytest.fixture
def farm(app):
    return deliver_everywhere(make_farm(name="Vườn cam"))


def _cod_order(farm):
    """A cash-on-delivery order: confirmed as soon as it is placed."""
    return make_order(make_product(farm).variants[0], payment_method="cod")


def _owner(farm):
    return farm.members[0].user


def _shipping(order) -> tuple:
    return (order.status, order.carrier, order.tracking_number)


def test_shipping_an_order_not_yet_packed_does_not_write_the_carrier(farm):
    # Given a confirmed order, not packed
    order = _cod_order(farm)
    old = _shipping(order)
    before = database_snapshot()

    # When the farm ships it with a carrier, then it is refused and no carrier is kept
    with pytest.raises(DomainError):
        services.ship_order(order, _owner(farm), carrier="ghn", tracking_number="GHN1")
    assert _shipping(order) == old
    assert database_snapshot() == before


def test_a_refused_tracking_number_does_not_leave_the_carrier_written(farm):
    # Given a packed order
    order = _cod_order(farm)
    services.pack_order(order, _owner(farm))
    old = _shipping(order)
    before = database_snapshot()

    # When the farm ships it with a tracking number too long, then nothing is kept
    with pytest.raises(DomainError) as refused:
        services.ship_order(order, _owner(farm), carrier="ghn", tracking_number="9" * 81)
    assert refused.value.field == "tracking_number"
    assert _shipping(order) == old
    assert database_snapshot() == before


def test_a_refused_cancellation_does_not_keep_its_reason(farm):
    # Given a shipped order
    order = _cod_order(farm)
    services.pack_order(order, _owner(farm))
    services.ship_order(order, _owner(farm), carrier="ghn", tracking_number="")
    before = database_snapshot()

    # When the farm tries to cancel it, then it is refused and no reason is kept
    with pytest.raises(DomainError):
        services.cancel_by_farm(order, _owner(farm), "Khách đổi ý")
    assert (order.status, order.cancel_reason) == ("shipped", None)
    assert database_snapshot() == before


def _settings_of(farm) -> DeliverySettings:
    return db.session.scalar(select(DeliverySettings).where(DeliverySettings.farm_id == farm.id))


def _settings(settings) -> tuple:
    return (
        settings.min_order_vnd,
        settings.free_delivery_from_vnd,
        settings.pickup_enabled,
        settings.pickup_address,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pickup_address": ""}, "pickup_address"),
        ({"free_delivery_from_vnd": "free"}, "free_delivery_from_vnd"),
    ],
)
def test_refused_delivery_settings_leave_them_as_they_were(farm, changes, field):
    # Given a farm's delivery settings with known values
    settings = _settings_of(farm)
    old = _settings(settings)
    new = {
        "min_order_vnd": "50000",
        "free_delivery_from_vnd": "500000",
        "pickup_enabled": True,
        "pickup_address": "Tại vườn",
    }
    before = database_snapshot()

    # When every setting changes but one is refused
    with pytest.raises(DomainError) as refused:
        set_delivery_settings(farm, _owner(farm), **{**new, **changes})

    # Then neither the settings nor the database changed
    assert refused.value.field == field
    assert _settings(settings) == old
    assert database_snapshot() == before


def test_refused_first_delivery_settings_leave_no_settings_behind(app):
    # Given a farm that has not set up delivery
    farm = make_farm()
    before = database_snapshot()

    # When its first settings are refused, then no settings row waits in the session
    with pytest.raises(DomainError):
        set_delivery_settings(
            farm,
            _owner(farm),
            min_order_vnd="many",
            free_delivery_from_vnd="",
            pickup_enabled=True,
            pickup_address="Tại vườn",
        )
    assert database_snapshot() == before


def test_a_refused_zone_change_leaves_the_zone_as_it_was(farm):
    # Given the farm's flat 30,000 đ fee for every province
    zone = _settings_of(farm).zones[0]
    old = (zone.fee_rule, zone.fee_vnd, zone.weight_step_grams)
    before = database_snapshot()

    # When it changes to a fee per weight with a refused step
    with pytest.raises(DomainError) as refused:
        set_zone(
            farm,
            _owner(farm),
            province_code="00",
            fee_rule="per_weight",
            fee_vnd="20000",
            weight_step_grams="0",
        )

    # Then neither the zone nor the database changed
    assert refused.value.field == "weight_step_grams"
    assert (zone.fee_rule, zone.fee_vnd, zone.weight_step_grams) == old
    assert database_snapshot() == before


def test_a_refused_new_zone_is_not_added(farm):
    # Given a farm with one zone
    before = database_snapshot()

    # When a zone for Hà Nội is refused, then no zone waits in the session
    with pytest.raises(DomainError):
        set_zone(farm, _owner(farm), province_code="01", fee_rule="flat", fee_vnd="free")
    assert database_snapshot() == before


def test_a_checkout_refused_at_its_second_line_takes_nothing_from_the_first(farm):
    # Given a pre-order with 3 places left, sold in two variants
    product = make_product(farm, prices=(100000, 150000), **preorder_fields(3, local_today()))
    first, second = product.variants
    before = database_snapshot()

    # When a buyer orders 2 of each (each fits alone, not both), then the checkout is refused
    with pytest.raises(services.SoldOut):
        make_checkout([first, second], 2)

    # And the first line's places were not taken, and no checkout waits in the session
    assert database_snapshot() == before
