"""A recall stops the sale of what can only come from recalled batches, holds the packed orders
packed from it, and tells the buyers who received it (issue 10, money and food safety 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import session
from flask_babel import force_locale
from sqlalchemy import select

from app.clock import VIETNAM, local_today
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from orders import cart as carts
from orders import services as order_services
from orders.models import Order, OrderEvent
from products.catalog import CatalogQuery, farm_products, in_season_now, search_catalog
from products.models import Product, Variant
from products.seasons import month_day, month_day_text
from tests.app.factories import log_in
from tests.farms.factories import make_farm, make_growing_area
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import NOW, make_batch
from traceability import allocation, services

REASON = "Dư lượng thuốc trừ sâu vượt mức cho phép"


@pytest.fixture
def farm(app):
    farm = make_farm(name="HTX Nông sản Bắc Mê")
    make_growing_area(farm)
    deliver_everywhere(farm)
    return farm


def _oranges(farm) -> Product:
    # In season today, so the home page's "in season" lists it.
    today = local_today()
    start, end = today - timedelta(days=10), today + timedelta(days=10)
    return make_product(
        farm,
        name="Cam sành Hà Giang",
        season_start=month_day_text(month_day(start)),
        season_end=month_day_text(month_day(end)),
    )


def harvest(batch, days_ago: int) -> None:
    """A harvest `days_ago` days before today (the real clock: packing offers this season's)."""
    when = utcnow() - timedelta(days=days_ago)
    entry = services.EventInput(
        kind="harvest",
        occurred_at=when.astimezone(VIETNAM).replace(tzinfo=None).isoformat(timespec="minutes"),
        fields={"quantity": "500", "unit": "kg"},
    )
    services.record_event(batch, batch.farm.members[0].user, entry)


def _owner(farm):
    return farm.members[0].user


def _place(product, quantity=2, language="vi", email="anh@example.vn"):
    variant = product.variants[0]
    checkout = order_services.place_order(
        {variant.id: quantity},
        buyer=None,
        contact=hanoi_contact(email=email),
        payment_method="cod",
        shown_prices={variant.id: variant.price_vnd},
        today=local_today(),
        language=language,
    )
    return checkout.orders[0]


def _pack(order, batch):
    line = order.lines[0]
    allocation.pack_with_batches(
        order, _owner(order.farm), {line.id: [(str(batch.id), str(line.quantity))]}
    )


def _recall(batch, reason=REASON):
    services.recall_batch(batch, _owner(batch.farm), reason, NOW)
    db.session.flush()


def test_recalling_the_only_batch_stops_the_sale_in_cart_review_and_checkout(app, farm):
    # Given oranges whose only batch is recalled
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    _recall(batch)
    variant = product.variants[0]
    before = database_snapshot()

    # When a buyer adds them, reviews or places an order, then each is refused with a reason
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(DomainError) as added:
            carts.set_quantity(session, None, variant.id, 2, add=True)
        assert "recalled" in str(added.value.message)
        assert carts.read_cart(session, None) == {}
        with pytest.raises(DomainError) as reviewed:
            order_services.quote({variant.id: 2}, province_code="01", today=local_today())
        assert "recalled" in str(reviewed.value.message)
        with pytest.raises(DomainError) as placed:
            _place(product)
        assert "recalled" in str(placed.value.message)

    # And nothing was sold: no order, the stock as it was
    assert database_snapshot() == before


def test_a_recalled_product_leaves_every_list_but_its_page_explains(client, farm):
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    today = local_today()
    assert product in in_season_now(today)

    _recall(batch)
    db.session.commit()

    assert product not in in_season_now(today)
    assert product not in search_catalog(CatalogQuery(), today).items
    assert product not in search_catalog(CatalogQuery(text="cam sanh"), today).items
    assert product not in farm_products(farm)
    assert "Cam sành Hà Giang" not in page_text(client.get("/"))
    page = client.get(f"/products/{product.slug}")
    assert page.status_code == 200
    text = page_text(page)
    assert batch.code in text and REASON in text
    assert "thu hồi" in text  # the Vietnamese notice
    assert 'action="/cart/add"' not in page.get_data(as_text=True)
    # Nothing on the page still reads as an offer: no season badge, no stock left to buy.
    assert "Đang vào mùa" not in text
    assert f"còn {product.variants[0].stock}" not in text
    assert "Ngừng bán" in text


def test_adding_a_recalled_product_over_http_says_why_and_keeps_the_cart_empty(client, farm):
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    _recall(batch)
    db.session.commit()

    response = client.post_form(
        "/cart/add",
        {"variant_id": str(product.variants[0].id), "quantity": "495"},
        follow_redirects=True,
    )

    assert "thu hồi" in page_text(response)
    assert "Đã thêm vào giỏ" not in page_text(response)
    with client.session_transaction() as stored:
        assert not stored.get("cart")


def test_a_product_with_another_open_batch_stays_on_sale(app, farm):
    product = _oranges(farm)
    recalled, other = make_batch(farm, product), make_batch(farm, product)
    harvest(recalled, 3)
    harvest(other, 2)

    _recall(recalled)

    assert not product.is_sale_stopped
    assert product in in_season_now(local_today())
    assert _place(product).status == "confirmed"
    # The page still tells buyers about the recalled batch.
    assert product.recalled_batch_code == recalled.code


def test_a_new_batch_puts_the_product_back_on_sale(app, farm):
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    _recall(batch)
    assert product.is_sale_stopped

    harvest(make_batch(farm, product), 1)

    assert not product.is_sale_stopped
    assert _place(product).status == "confirmed"


def test_packing_refuses_a_batch_recalled_after_the_page_was_shown(app, farm):
    product = _oranges(farm)
    batch, other = make_batch(farm, product), make_batch(farm, product)
    harvest(batch, 2)
    harvest(other, 1)
    order = _place(product)
    line = order.lines[0]
    assert batch in allocation.choices_for(order)[line.id]

    _recall(batch)
    db.session.commit()

    assert batch not in allocation.choices_for(order)[line.id]
    before = database_snapshot()
    with pytest.raises(DomainError):
        allocation.pack_with_batches(
            order, _owner(farm), {line.id: [(str(batch.id), str(line.quantity))]}
        )
    assert database_snapshot() == before  # still confirmed, no allocation


def test_a_recall_holds_packed_orders_and_refuses_to_ship_them(farm, client):
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    order = _place(product)
    _pack(order, batch)
    db.session.commit()
    log_in(client, _owner(farm).phone)

    recalled = client.post_form(
        f"/dashboard/batches/{batch.id}/recall", {"reason": REASON, "confirm": "y"}
    )
    assert recalled.status_code == 302
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.recall_hold == batch.code
    orders = client.get(f"/dashboard/farms/{farm.id}/orders?tab=to_ship")
    orders_html, orders_page = orders.get_data(as_text=True), page_text(orders)
    assert f"lô {batch.code}" in orders_page and "thu hồi" in orders_page
    assert f"/dashboard/orders/{order.id}/ship" not in orders_html  # no form offers to ship it
    before = database_snapshot()

    shipped = client.post_form(
        f"/dashboard/orders/{order.id}/ship?tab=to_ship",
        {"carrier": "ghn", "tracking_number": "GHN123"},
        follow_redirects=True,
    )

    assert "thu hồi" in page_text(shipped)
    assert database_snapshot() == before  # still packed, no carrier, no event
    order = db.session.get(Order, order.id)
    with pytest.raises(DomainError):
        order_services.ship_order(order, _owner(farm), carrier="ghn", tracking_number="")
    assert database_snapshot() == before


def test_buyers_who_received_the_batch_are_mailed_in_their_language(app, farm, client):
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    english = _place(product, language="en", email="mai@example.com")
    vietnamese = _place(product, language="vi", email="anh@example.vn")
    not_shipped = _place(product, language="vi", email="binh@example.vn")
    refunded = _place(product, language="vi", email="chi@example.vn")
    owner = _owner(farm)
    for order in (english, vietnamese, not_shipped, refunded):
        _pack(order, batch)
    for order in (english, vietnamese, refunded):
        order_services.ship_order(order, owner, carrier="ghn", tracking_number="")
    # A box that arrived damaged: delivered, paid in cash, then refunded; the buyer has it.
    order_services.mark_delivered(refunded, owner)
    order_services.record_cash_collected(refunded, owner)
    order_services.record_refund(refunded, owner, "Quả dập khi giao")
    db.session.commit()
    app.extensions["mail_outbox"] = []
    log_in(client, owner.phone)

    client.post_form(f"/dashboard/batches/{batch.id}/recall", {"reason": REASON, "confirm": "y"})

    mails = {m["To"]: m for m in app.extensions["mail_outbox"]}
    assert set(mails) == {"mai@example.com", "anh@example.vn", "chi@example.vn"}
    english_body = mails["mai@example.com"].get_content()
    assert "recalled" in mails["mai@example.com"]["Subject"]
    assert batch.code in english_body and REASON in english_body
    assert "Do not eat" in english_body
    assert "thu hồi" in mails["anh@example.vn"]["Subject"]
    assert "Không ăn" in mails["anh@example.vn"].get_content()
    events = db.session.scalars(select(OrderEvent).where(OrderEvent.kind == "recall")).all()
    assert {e.order_id for e in events} == {
        english.id,
        vietnamese.id,
        not_shipped.id,
        refunded.id,
    }


def _shipped_order(farm, batch, email="mai@example.com"):
    """An order packed from `batch` and on its way to a buyer who gave `email`."""
    order = _place(batch.product, email=email)
    _pack(order, batch)
    order_services.ship_order(order, _owner(farm), carrier="ghn", tracking_number="")
    db.session.commit()
    return order


def test_the_recall_mails_its_receivers_only_once_it_is_committed(app, farm, outbox):
    # Given two shipped orders from a harvested batch, one of a buyer who left no e-mail
    batch = make_batch(farm, _oranges(farm))
    harvest(batch, 2)
    _shipped_order(farm, batch)
    _shipped_order(farm, batch, email="")
    outbox.clear()

    # When the farm recalls the batch
    told = services.recall_batch(batch, _owner(farm), REASON)

    # Then nobody is mailed before the commit, and the buyer is once it commits
    assert told == 1 and outbox == []
    db.session.commit()
    assert [mail["To"] for mail in outbox] == ["mai@example.com"]


def test_a_rolled_back_recall_mails_nobody(app, farm, outbox):
    # Given a shipped order from a harvested batch
    batch = make_batch(farm, _oranges(farm))
    harvest(batch, 2)
    _shipped_order(farm, batch)
    outbox.clear()

    # When the recall is rolled back, and a later transaction commits
    services.recall_batch(batch, _owner(farm), REASON)
    db.session.rollback()
    db.session.commit()

    # Then no mail left and the batch is not recalled
    assert outbox == []
    db.session.expire_all()
    assert not batch.is_recalled


def test_an_order_placed_before_the_recall_is_not_packed_or_shipped_while_the_sale_is_stopped(
    app, farm
):
    # Given an order placed before the only batch was recalled, and one packed without batches
    product = _oranges(farm)
    batch = make_batch(farm, product)
    harvest(batch, 2)
    waiting, packed = _place(product), _place(product)
    order_services.pack_order(packed, _owner(farm))
    _recall(batch)
    db.session.commit()
    before = database_snapshot()

    # When the farm packs the first or ships the second, then both are refused
    with pytest.raises(DomainError):
        order_services.pack_order(waiting, _owner(farm))
    with pytest.raises(DomainError):
        order_services.ship_order(packed, _owner(farm), carrier="ghn", tracking_number="")
    assert database_snapshot() == before  # one still confirmed, the other still packed

    # And a new batch, once harvested, lets the farm pack from it again
    harvest(make_batch(farm, product), 1)
    order_services.pack_order(waiting, _owner(farm))
    assert waiting.status == "packed"


def test_recalling_the_only_harvest_stops_the_sale_though_next_season_is_growing(app, farm):
    # Given oranges with one harvested batch and next season's batch recorded, still growing
    product = _oranges(farm)
    harvested = make_batch(farm, product)
    harvest(harvested, 2)
    make_batch(farm, product)

    # When the harvested batch is recalled
    _recall(harvested)

    # Then the sale stops: every box in stock came from the recalled batch
    assert product.is_sale_stopped


def test_an_empty_new_batch_does_not_lift_the_stop_its_harvest_does(app, farm):
    # Given oranges whose only batch was recalled
    product = _oranges(farm)
    recalled = make_batch(farm, product)
    harvest(recalled, 2)
    _recall(recalled)
    assert product.is_sale_stopped

    # When the farm records a new batch with nothing harvested yet, then the sale stays stopped
    new = make_batch(farm, product)
    db.session.flush()
    assert product.is_sale_stopped

    # And when that batch is harvested, the product can be sold from it again
    harvest(new, 1)
    assert not product.is_sale_stopped
    assert _place(product).status == "confirmed"


def test_last_seasons_batch_left_open_does_not_keep_a_recalled_product_on_sale(app, farm):
    # Given oranges with last season's batch never marked sold out and this season's harvest
    product = _oranges(farm)
    last_season, this_season = make_batch(farm, product), make_batch(farm, product)
    harvest(last_season, 365)
    harvest(this_season, 2)
    assert last_season.status == "harvested"

    # When this season's batch is recalled
    _recall(this_season)

    # Then the sale stops: packing offers only this season's batches, so nothing safe is left
    assert product.is_sale_stopped


def test_cancelling_an_order_held_by_a_recall_does_not_put_the_recalled_boxes_back_on_sale(
    app, farm
):
    # Given oranges from two harvests, an order packed from the first, which is then recalled
    product = _oranges(farm)
    recalled, other = make_batch(farm, product), make_batch(farm, product)
    harvest(recalled, 3)
    harvest(other, 2)
    order = _place(product, quantity=2)
    _pack(order, recalled)
    _recall(recalled)
    assert order.recall_hold == recalled.code and not product.is_sale_stopped
    variant_id = product.variants[0].id
    db.session.expire_all()
    stock = db.session.get(Variant, variant_id).stock

    # When the farm cancels the held order, as the page tells it to
    order_services.cancel_by_farm(order, _owner(farm), "Lô bị thu hồi, hoàn tiền cho khách")
    db.session.flush()

    # Then its boxes, which came from the recalled batch, are not sold again
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"
    assert db.session.get(Variant, variant_id).stock == stock


def test_cancelling_a_held_order_puts_back_what_did_not_come_from_the_recalled_batch(app, farm):
    # Given one order of oranges, packed from a batch that is then recalled, and of lemons,
    # which the farm does not follow by batch
    oranges = _oranges(farm)
    lemons = make_product(farm, name="Chanh không hạt")
    recalled, other = make_batch(farm, oranges), make_batch(farm, oranges)
    harvest(recalled, 3)
    harvest(other, 2)
    orange, lemon = oranges.variants[0], lemons.variants[0]
    order = order_services.place_order(
        {orange.id: 2, lemon.id: 3},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={orange.id: orange.price_vnd, lemon.id: lemon.price_vnd},
        today=local_today(),
    ).orders[0]
    orange_line = next(line for line in order.lines if line.variant_id == orange.id)
    allocation.pack_with_batches(order, _owner(farm), {orange_line.id: [(str(recalled.id), "2")]})
    _recall(recalled)
    assert order.recall_hold == recalled.code
    orange_id, lemon_id = orange.id, lemon.id
    db.session.expire_all()
    orange_stock = db.session.get(Variant, orange_id).stock
    lemon_stock = db.session.get(Variant, lemon_id).stock

    # When the farm cancels the held order
    order_services.cancel_by_farm(order, _owner(farm), "Lô bị thu hồi, hoàn tiền cho khách")
    db.session.flush()

    # Then the recalled oranges stay out of the food chain; the lemons go back on sale
    db.session.expire_all()
    assert db.session.get(Variant, orange_id).stock == orange_stock
    assert db.session.get(Variant, lemon_id).stock == lemon_stock + 3


def test_an_order_packed_from_a_recalled_batch_cannot_ship_while_another_batch_sells(app, farm):
    # Given oranges from two harvests, an order packed from the first, which is then recalled
    # (the second keeps the product on sale)
    product = _oranges(farm)
    recalled, other = make_batch(farm, product), make_batch(farm, product)
    harvest(recalled, 3)
    harvest(other, 2)
    order = _place(product)
    _pack(order, recalled)
    _recall(recalled)
    assert order.recall_hold == recalled.code and not product.is_sale_stopped
    db.session.commit()
    before = database_snapshot()

    # When the farm tries to ship it, then it is refused and the order stays at the farm
    with pytest.raises(DomainError, match=recalled.code):
        order_services.ship_order(order, _owner(farm), carrier="ghn", tracking_number="GHN1")
    assert database_snapshot() == before  # packed, no carrier, no event


def test_a_product_whose_other_batch_is_already_packed_stays_on_sale(app, farm):
    # Given oranges from two harvests, the second already packed into boxes
    product = _oranges(farm)
    recalled, other = make_batch(farm, product), make_batch(farm, product)
    harvest(recalled, 3)
    harvest(other, 2)
    entry = services.EventInput(
        kind="packing",
        occurred_at=(utcnow() - timedelta(days=1))
        .astimezone(VIETNAM)
        .replace(tzinfo=None)
        .isoformat(timespec="minutes"),
        fields={"packages": "40", "package_unit": "thùng 5 kg"},
    )
    services.record_event(other, _owner(farm), entry)
    assert other.status == "packed"

    # When the first is recalled, then the packed boxes of the second keep the product on sale
    _recall(recalled)
    assert not product.is_sale_stopped
    assert _place(product).status == "confirmed"


def test_a_diary_entry_on_a_new_batch_before_its_harvest_does_not_lift_the_stop(app, farm):
    # Given oranges whose only batch was recalled, and a new batch still growing
    product = _oranges(farm)
    recalled = make_batch(farm, product)
    harvest(recalled, 2)
    _recall(recalled)
    new = make_batch(farm, product)

    # When the farm records fertilising on the new batch (nothing harvested yet)
    entry = services.EventInput(
        kind="fertilising",
        occurred_at=(utcnow() - timedelta(days=1))
        .astimezone(VIETNAM)
        .replace(tzinfo=None)
        .isoformat(timespec="minutes"),
        fields={"input": "Phân hữu cơ", "amount": "2 kg/gốc"},
    )
    services.record_event(new, _owner(farm), entry)

    # Then nothing can be sold from it yet: the sale stays stopped
    assert product.is_sale_stopped
    before = database_snapshot()
    with pytest.raises(DomainError):
        _place(product)
    assert database_snapshot() == before


def test_a_product_sold_all_year_with_another_harvested_batch_stays_on_sale(app, farm):
    # Given greens sold all year (no season) from two harvests
    product = make_product(farm, name="Rau cải ngọt")
    recalled, other = make_batch(farm, product), make_batch(farm, product)
    harvest(recalled, 3)
    harvest(other, 2)

    # When the first is recalled, then the second keeps the product on sale
    _recall(recalled)
    assert not product.is_sale_stopped
    assert _place(product).status == "confirmed"


def test_a_product_sold_all_year_whose_only_batch_is_recalled_stops_selling(app, farm):
    product = make_product(farm, name="Rau cải ngọt")
    batch = make_batch(farm, product)
    harvest(batch, 2)
    _recall(batch)
    assert product.is_sale_stopped
