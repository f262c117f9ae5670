"""A farm publishes only once it can take an order: a way to hand the goods over (delivery
zones or pickup) and a way to be paid (a bank account). Its dashboard says what is missing."""

import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from farms.readiness import missing_to_sell
from farms.services import set_bank_account
from orders.delivery import set_delivery_settings
from products import services
from products.models import Product
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


def _bank(farm):
    set_bank_account(
        farm, farm.members[0].user, bank_bin="970416", account_number="257678859", holder_name="A"
    )
    return farm


def _pickup(farm):
    set_delivery_settings(
        farm,
        farm.members[0].user,
        min_order_vnd="",
        free_delivery_from_vnd="",
        pickup_enabled=True,
        pickup_address="Thôn Thúy Lâm",
    )
    return farm


def _status(product) -> str:
    return db.session.scalar(select(Product.status).where(Product.id == product.id))


@pytest.mark.parametrize(
    ("prepare", "missing"),
    [
        (lambda farm: farm, ["giao hàng", "tài khoản ngân hàng"]),
        (_bank, ["giao hàng"]),
        (deliver_everywhere, ["tài khoản ngân hàng"]),
        (_pickup, ["tài khoản ngân hàng"]),
    ],
    ids=["nothing", "bank-only", "delivery-only", "pickup-only"],
)
def test_a_farm_that_cannot_take_an_order_cannot_publish(app, prepare, missing):
    # Given a farm missing a way to hand over or to be paid, and a draft product
    farm = prepare(make_farm())
    product = make_product(farm, publish=False)
    before = database_snapshot()

    # When its owner publishes
    with pytest.raises(DomainError) as refused:
        services.publish_product(product, farm.members[0].user)

    # Then it is refused, saying what is missing, and nothing changed: the product is a draft
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        message = str(refused.value.message)
    assert all(word in message for word in missing), message
    assert database_snapshot() == before
    assert _status(product) == "draft"


@pytest.mark.parametrize("hand_over", [deliver_everywhere, _pickup], ids=["delivery", "pickup"])
def test_a_farm_that_delivers_or_offers_pickup_and_is_paid_publishes(app, hand_over):
    farm = _bank(hand_over(make_farm()))
    product = make_product(farm, publish=False)

    services.publish_product(product, farm.members[0].user)

    assert _status(product) == "published"


def test_publishing_from_the_dashboard_explains_what_is_missing(client):
    farm = make_farm()
    product = make_product(farm, publish=False)
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    response = client.post_form(f"/dashboard/products/{product.id}/publish", follow_redirects=True)

    text = page_text(response)
    assert "Gian hàng của bạn chưa nhận được đơn" in text
    assert "Chưa có cách nhận tiền" in text and "Chưa giao hàng" in text
    assert _status(product) == "draft"


def test_the_dashboard_lists_what_is_missing_with_links_to_fix_it(client):
    farm = _bank(make_farm())
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    page = client.get(f"/dashboard/farms/{farm.id}").get_data(as_text=True)

    assert 'data-testid="ready-to-sell"' in page
    assert f'href="/dashboard/farms/{farm.id}/delivery"' in page
    assert (
        f'href="/dashboard/farms/{farm.id}/bank"'
        not in page.split('data-testid="ready-to-sell"')[1].split("</section>")[0]
    )


def test_a_farm_ready_to_sell_sees_no_checklist(client):
    farm = _bank(deliver_everywhere(make_farm()))
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    page = client.get(f"/dashboard/farms/{farm.id}").get_data(as_text=True)

    assert 'data-testid="ready-to-sell"' not in page


def _stop_pickup(farm):
    set_delivery_settings(
        farm,
        farm.members[0].user,
        min_order_vnd="",
        free_delivery_from_vnd="",
        pickup_enabled=False,
        pickup_address=None,
    )


def test_a_farm_selling_by_pickup_only_cannot_stop_pickup(app):
    # Given a farm on sale whose only way to hand over is pickup
    farm = _bank(_pickup(make_farm()))
    make_product(farm)
    db.session.commit()
    before = database_snapshot()

    # When it turns pickup off
    with pytest.raises(DomainError) as refused:
        _stop_pickup(farm)
    assert refused.value.field == "pickup_enabled"

    # Then it is refused, nothing changed, and the farm can still take an order
    assert database_snapshot() == before
    assert missing_to_sell(farm) == []


def test_a_farm_that_delivers_may_stop_pickup(app):
    farm = _bank(_pickup(deliver_everywhere(make_farm())))
    make_product(farm)

    _stop_pickup(farm)

    assert missing_to_sell(farm) == []
