"""An order's history is written by one typed function per kind of entry (orders.events), and
the buyer's timeline reads it as it always did."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from orders import events, services
from orders.events import OrderEventKind
from orders.models import LedgerEntry, LedgerKind, OrderEvent
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, place_one
from tests.products.factories import make_product

SHIPS_ON = date(2031, 6, 1)


@pytest.fixture
def placed(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    buyer = make_user(identifier="0912000555")
    checkout = place_one(variant, buyer=buyer)
    db.session.commit()
    return checkout.orders[0], farm.members[0].user, buyer


def _rows(order_id: int) -> list[tuple]:
    return db.session.execute(
        select(
            OrderEvent.kind,
            OrderEvent.from_state,
            OrderEvent.to_state,
            OrderEvent.actor_id,
            OrderEvent.note,
        )
        .where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.id)
    ).all()


def test_placing_an_order_opens_its_history_with_the_state_it_starts_in(placed):
    order, _, buyer = placed
    assert _rows(order.id) == [("status", None, "awaiting_payment", buyer.id, "placed")]


@pytest.mark.parametrize(
    "record, expected",
    [
        (
            lambda order, farmer: events.status_changed(
                order, "confirmed", "packed", actor=farmer, reason="đóng thùng"
            ),
            ("status", "confirmed", "packed", "farmer", "đóng thùng"),
        ),
        (
            lambda order, farmer: events.status_changed(
                order, "awaiting_payment", "cancelled", actor=None
            ),
            ("status", "awaiting_payment", "cancelled", None, ""),
        ),
        (
            lambda order, farmer: events.payment_changed(
                order, "unpaid", "paid", actor=None, reason="bank notification"
            ),
            ("payment", "unpaid", "paid", None, "bank notification"),
        ),
        (
            lambda order, farmer: events.shipped_early(order, actor=farmer, on=SHIPS_ON),
            ("shipped_early", None, None, "farmer", "2031-06-01"),
        ),
        (
            lambda order, farmer: events.batch_recalled(order, actor=farmer, batch_code="VT-0425"),
            ("recall", None, None, "farmer", "VT-0425"),
        ),
    ],
    ids=["status", "status by the system", "payment", "shipped early", "recall"],
)
def test_each_kind_of_entry_fills_in_its_own_fields(placed, record, expected):
    # Given a placed order, when one entry is recorded and saved
    order, farmer, _ = placed
    event = record(order, farmer)
    db.session.commit()

    # Then the row holds exactly that kind's fields, appended after the opening entry
    kind, from_state, to_state, actor, note = expected
    assert _rows(order.id)[1:] == [(kind, from_state, to_state, farmer.id if actor else None, note)]
    assert event.kind == OrderEventKind(kind)


@pytest.mark.parametrize(
    "record",
    [
        lambda order: events.status_changed(order, "confirmed", "teleported", actor=None),
        lambda order: events.status_changed(order, "paid", "confirmed", actor=None),
        lambda order: events.payment_changed(order, "unpaid", "packed", actor=None),
    ],
    ids=["unknown status", "payment state as a status", "status as a payment state"],
)
def test_a_state_that_does_not_exist_is_never_written_into_the_history(placed, record):
    order, _, _ = placed
    before = _rows(order.id)

    with pytest.raises(ValueError):
        record(order)
    db.session.commit()

    assert _rows(order.id) == before


def test_the_kinds_are_the_strings_stored_before_they_had_an_enum():
    # Rows written before orders.events existed must still read as the same kinds.
    assert [kind.value for kind in OrderEventKind] == [
        "status",
        "payment",
        "shipped_early",
        "recall",
        "weights",  # weighed goods (issue 16)
    ]


def _timeline(client, token: str) -> list[str]:
    """The buyer's history of the order, entry by entry, without the times."""
    page = client.get(f"/orders/c/{token}").get_data(as_text=True)
    block = re.search(r'<details class="timeline">(.*?)</details>', page, re.S).group(1)
    entries = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", block, re.S)]
    return [" ".join(html.unescape(entry).split()).split(" · ", 1)[1] for entry in entries]


def test_the_buyers_timeline_shows_every_kind_of_entry_as_before(placed, client):
    # Given an order taken through each kind of entry by the services and events
    order, farmer, _ = placed
    order.lines[0].ships_on = SHIPS_ON  # a pre-order line, for "shipped early"
    services.confirm_transfer(order, farmer)
    services.pack_order(order, farmer)
    events.shipped_early(order, actor=farmer, on=SHIPS_ON)
    services.move_order(order, "shipped", actor=farmer, note="GHN")
    events.batch_recalled(order, actor=farmer, batch_code="VT-0425")
    events.payment_changed(order, "paid", "refund_needed", actor=None)
    db.session.commit()

    # When the buyer opens the checkout's page, then the history reads as it always did
    assert _timeline(client, order.checkout.access_token) == [
        "Chờ thanh toán",
        "Thanh toán: đã thanh toán",
        "Đã xác nhận",
        "Đã đóng gói",
        "Giao sớm, trước ngày 01/06/2031",
        "Đang giao",
        "Lô VT-0425 đã bị thu hồi: đừng ăn sản phẩm này",
        "Thanh toán: refund_needed",
    ]


@pytest.mark.ledger_by_hand
def test_every_ledger_kind_is_one_the_database_accepts(placed):
    # The ledger's kinds are an enum in the code and a CHECK constraint in the schema.
    order, _, _ = placed
    for kind in LedgerKind:
        db.session.add(
            LedgerEntry(farm_id=order.farm_id, order_id=order.id, kind=kind, amount_vnd=1)
        )
    db.session.commit()

    stored = db.session.scalars(select(LedgerEntry.kind).where(LedgerEntry.order_id == order.id))
    assert sorted(stored) == sorted(kind.value for kind in LedgerKind)
