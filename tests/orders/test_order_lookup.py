"""A guest finds an order by phone number and order number: that one order read-only, its
link only sent to the checkout's phone; rate-limited per client address and per phone, with
one neutral answer whether the number or the phone is wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.messaging import OutboundMessage
from orders import lookup
from orders.lookup_views import ADDRESS_LIMIT, LINK_LIMIT, PHONE_LIMIT
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact, make_checkout, make_order
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

NEUTRAL = "Không có đơn hàng nào khớp với số điện thoại và mã đơn này."


@pytest.fixture
def order(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    order = make_order(make_product(farm).variants[0], contact=hanoi_contact(phone="0987 654 321"))
    db.session.commit()
    return order


def _limit(text: str) -> int:
    return int(text.split()[0])


@pytest.mark.parametrize("typed", ["NS{n:06d}", "ns {n:06d}", "NS{n}", "{n}", " {n:06d} "])
def test_an_order_number_is_read_as_people_copy_it(typed):
    assert lookup.order_number(typed.format(n=123)) == "NS000123"


@pytest.mark.parametrize("typed", ["", "NS", "AB123", "NS12a", "１２３", "9" * 11, None])
def test_what_cannot_be_an_order_number_is_none(typed):
    assert lookup.order_number(typed) is None


@pytest.mark.parametrize("phone", ["0987 654 321", "+84987654321", "84 987 654 321"])
def test_the_phone_is_compared_in_e164_however_it_is_written(order, phone):
    assert lookup.find_order(phone, order.number) == order


@pytest.mark.parametrize(
    ("phone", "number"),
    [("0912 000 000", "{number}"), ("0987 654 321", "NS999999"), ("not a phone", "{number}")],
)
def test_a_wrong_phone_or_number_finds_nothing(order, phone, number):
    assert lookup.find_order(phone, number.format(number=order.number)) is None


def test_the_guest_sees_that_order_read_only_without_its_link_or_address(client, order):
    before = database_snapshot()
    response = client.post_form(
        "/orders/find", {"phone": "0987654321", "number": order.number.lower()}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-testid="found-{order.number}"' in html and "Vườn vải" in html
    # Nothing to manage it with, and nothing about the buyer
    assert order.checkout.access_token not in html
    assert order.checkout.street not in html and "/cancel/" not in html
    assert database_snapshot() == before


def test_a_farm_that_knows_the_phone_cannot_reach_another_farms_order(client, order):
    # Given a checkout that bought from two farms, and the first farm's own order number
    other_farm = deliver_everywhere(make_farm(name="Vườn bưởi khác"))
    two_farms = make_checkout(
        [order.lines[0].variant, make_product(other_farm).variants[0]],
        contact=hanoi_contact(phone="0987 111 222"),
    )
    db.session.commit()
    mine, theirs = two_farms.orders

    # When that farm looks its order up with the buyer's phone
    html = client.post_form(
        "/orders/find", {"phone": "0987111222", "number": mine.number}
    ).get_data(as_text=True)

    # Then it sees its own order only: not the other farm's, not the checkout's link
    assert mine.number in html and theirs.number not in html
    assert two_farms.access_token not in html


def test_the_link_is_sent_only_to_the_checkouts_own_contacts(client, order):
    # When someone who knows the phone and the number asks for the link
    response = client.post_form(
        "/orders/find/send-link", {"phone": "0987 654 321", "number": order.number}
    )

    # Then it goes to the checkout's phone (and e-mail), never into the page
    assert response.status_code == 200
    assert order.checkout.access_token not in response.get_data(as_text=True)
    sent = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "order_link")
    ).all()
    assert {(m.channel, m.recipient) for m in sent} == {("email", order.checkout.contact_email)}
    assert all(order.checkout.access_token in m.body for m in sent)


def test_no_link_is_sent_for_a_wrong_phone(client, order):
    before = database_snapshot()
    response = client.post_form(
        "/orders/find/send-link", {"phone": "0912 000 000", "number": order.number}
    )
    assert response.status_code == 422 and NEUTRAL in page_text(response)
    assert database_snapshot() == before


def test_one_phone_gets_at_most_three_links_an_hour(app, order):
    for n in range(_limit(LINK_LIMIT)):
        asker = app.test_client()
        asker.environ_base["REMOTE_ADDR"] = f"10.0.2.{n + 1}"
        sent = asker.post_form(
            "/orders/find/send-link", {"phone": "0987654321", "number": order.number}
        )
        assert sent.status_code == 200
    asker = app.test_client()
    asker.environ_base["REMOTE_ADDR"] = "10.0.3.1"
    before = database_snapshot()
    stopped = asker.post_form(
        "/orders/find/send-link", {"phone": "0987654321", "number": order.number}
    )
    assert stopped.status_code == 429
    assert database_snapshot() == before


def test_an_unknown_number_and_a_wrong_phone_get_the_same_answer(client, order):
    before = database_snapshot()
    unknown = client.post_form("/orders/find", {"phone": "0987654321", "number": "NS999999"})
    wrong_phone = client.post_form("/orders/find", {"phone": "0912000000", "number": order.number})

    assert unknown.status_code == wrong_phone.status_code == 422
    assert NEUTRAL in page_text(unknown) and NEUTRAL in page_text(wrong_phone)
    assert order.checkout.access_token not in unknown.get_data(as_text=True)
    assert order.checkout.access_token not in wrong_phone.get_data(as_text=True)
    assert database_snapshot() == before


def test_empty_fields_are_explained(client):
    response = client.post_form("/orders/find", {"phone": "", "number": ""})
    assert response.status_code == 422
    assert "Vui lòng điền mục này." in page_text(response)


def test_one_address_is_stopped_after_its_look_ups(client, order):
    for n in range(_limit(ADDRESS_LIMIT)):
        # Different phones, so only the address limit counts
        phone = f"0912{n:06d}"
        assert client.post_form("/orders/find", {"phone": phone, "number": "1"}).status_code == 422
    before = database_snapshot()

    stopped = client.post_form("/orders/find", {"phone": "0987654321", "number": order.number})

    assert stopped.status_code == 429
    assert database_snapshot() == before


def test_one_phone_is_stopped_after_its_look_ups_from_any_address(app, order):
    for n in range(_limit(PHONE_LIMIT)):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        # The same number written two ways counts once
        phone = "0987654321" if n % 2 else "+84 987 654 321"
        response = guesser.post_form("/orders/find", {"phone": phone, "number": f"NS9{n:05d}"})
        assert response.status_code == 422

    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    stopped = other.post_form("/orders/find", {"phone": "0987654321", "number": order.number})
    assert stopped.status_code == 429
    # Another phone from that address still may look
    assert (
        other.post_form("/orders/find", {"phone": "0912000001", "number": "1"}).status_code == 422
    )


def test_the_page_is_linked_from_the_footer_and_the_login_page(client):
    for url in ("/", "/login"):
        assert 'href="/orders/find"' in client.get(url).get_data(as_text=True), url
