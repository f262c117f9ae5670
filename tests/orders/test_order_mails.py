"""Each action a buyer hears about queues its mail itself, and the mail leaves only once the
transaction commits: never for a change rolled back or refused, and a mail that fails
never undoes the change nor the page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.db import utcnow
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.messaging import OutboundMessage
from farms.services import set_bank_account
from orders import bank_notifications, services
from orders.models import Order
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact, place_one
from tests.products.factories import make_product

BUYER_MAIL = "anh@example.vn"
FARM_ACCOUNT = "257678859"


@pytest.fixture
def placed(app, outbox):
    """A bank-transfer order of a buyer who shops in English (the mails' language)."""
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    farmer = farm.members[0].user
    farmer.phone = "+84912000777"
    set_bank_account(
        farm, farmer, bank_bin="970416", account_number=FARM_ACCOUNT, holder_name="Nguyen Van A"
    )
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    buyer = make_user(identifier="0912000555")
    checkout = place_one(
        variant, buyer=buyer, contact=hanoi_contact(email=BUYER_MAIL), language="en"
    )
    db.session.commit()
    outbox.clear()
    return checkout.orders[0], farmer, buyer


def _state(order_id: int) -> tuple[str, str]:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return order.status, order.payment_status


def _confirm(order, farmer, buyer):
    services.confirm_transfer(order, farmer)


def _pack(order, farmer, buyer):
    services.pack_order(order, farmer)


def _cancel(order, farmer, buyer):
    services.cancel_by_farm(order, farmer, "Mưa đá làm hỏng quả")


def _overdue(order, farmer, buyer):
    order.pay_before = utcnow() - timedelta(minutes=1)


def _bank_credit(order, farmer, buyer):
    bank_notifications.record_credit(
        {
            "id": "FT26112200001",
            "amount": order.total_vnd,
            "account": FARM_ACCOUNT,
            "description": f"LE MINH ANH chuyen tien {order.number}",
        }
    )


#: Each step the buyer hears about: what comes before it, the step, the mail's subject.
MAILED_STEPS = {
    "farm confirms the transfer": ([], _confirm, "Payment received for order {}"),
    "bank notifies the transfer": ([], _bank_credit, "Payment received for order {}"),
    "farm ships": (
        [_confirm, _pack],
        lambda order, farmer, buyer: services.ship_order(
            order, farmer, carrier="ghn", tracking_number="GHN123"
        ),
        "Order {} is on its way",
    ),
    "farm cancels": ([], _cancel, "Order {} is cancelled"),
    "buyer cancels": (
        [],
        lambda order, farmer, buyer: services.cancel_by_buyer(order, buyer),
        "Order {} is cancelled",
    ),
    "payment time runs out": (
        [_overdue],
        lambda order, farmer, buyer: services.expire_unpaid_orders(utcnow()),
        "Order {} is cancelled",
    ),
    "farm refunds": (
        [_confirm, _cancel],
        lambda order, farmer, buyer: services.record_refund(order, farmer, "Đã chuyển trả"),
        "Order {} is refunded",
    ),
}


def _prepare(placed, before, outbox):
    for step in before:
        step(*placed)
        db.session.commit()
    outbox.clear()


@pytest.mark.parametrize("step", list(MAILED_STEPS))
def test_each_step_mails_the_buyer_once_its_transaction_commits(placed, outbox, step):
    # Given an order ready for the step
    order, _, _ = placed
    before, act, subject = MAILED_STEPS[step]
    _prepare(placed, before, outbox)

    # When the step runs, nothing is mailed until its transaction commits
    act(*placed)
    db.session.flush()
    assert outbox == []
    db.session.commit()

    # Then the buyer gets one mail about it
    assert [(m["To"], m["Subject"]) for m in outbox] == [(BUYER_MAIL, subject.format(order.number))]


@pytest.mark.parametrize("step", list(MAILED_STEPS))
def test_a_step_rolled_back_mails_nothing(placed, outbox, step):
    # Given an order ready for the step
    order, _, _ = placed
    before, act, _ = MAILED_STEPS[step]
    _prepare(placed, before, outbox)
    state = _state(order.id)

    # When the step runs and its transaction is rolled back (the next one commits)
    act(*placed)
    db.session.rollback()
    db.session.commit()

    # Then no mail left and the order is as it was
    assert outbox == []
    assert _state(order.id) == state


REFUSED_STEPS = {
    "refund of an unpaid order": (
        [],
        lambda order, farmer, buyer: services.record_refund(order, farmer, "nhầm"),
        DomainError,
    ),
    "buyer cancels a packed order": (
        [_confirm, _pack],
        lambda order, farmer, buyer: services.cancel_by_buyer(order, buyer),
        DomainError,
    ),
    "stranger confirms the transfer": (
        [],
        lambda order, farmer, buyer: services.confirm_transfer(order, make_user(role=Role.FARMER)),
        PermissionDenied,
    ),
    "farm ships an order not packed": (
        [],
        lambda order, farmer, buyer: services.ship_order(
            order, farmer, carrier="ghn", tracking_number=""
        ),
        DomainError,
    ),
}


@pytest.mark.parametrize("step", list(REFUSED_STEPS))
def test_a_refused_step_mails_nothing(placed, outbox, step):
    order, _, _ = placed
    before, act, refusal = REFUSED_STEPS[step]
    _prepare(placed, before, outbox)
    state = _state(order.id)

    with pytest.raises(refusal):
        act(*placed)
    db.session.rollback()  # as every view does when a service refuses
    db.session.commit()

    assert outbox == []
    assert _state(order.id) == state


def test_placing_a_checkout_mails_the_buyer_once_it_is_committed(app, outbox):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    db.session.commit()

    checkout = place_one(
        variant, payment_method="cod", contact=hanoi_contact(email=BUYER_MAIL), language="en"
    )
    db.session.flush()
    assert outbox == []
    db.session.commit()

    number = checkout.orders[0].number
    assert [(m["To"], m["Subject"]) for m in outbox] == [
        (BUYER_MAIL, f"Your order at Nông Sản Số: {number}")
    ]


def test_a_farm_step_over_http_mails_once(placed, client, outbox):
    order, _, _ = placed
    log_in(client, "0912000777")

    client.post_form(f"/dashboard/orders/{order.id}/confirm-transfer")

    assert [m["Subject"] for m in outbox] == [f"Payment received for order {order.number}"]


def test_a_step_refused_over_http_mails_nothing_and_changes_nothing(placed, client, outbox):
    # Given an order the farm has packed
    order, farmer, buyer = placed
    _prepare(placed, [_confirm, _pack], outbox)
    state = _state(order.id)

    # When the buyer tries to cancel it from the checkout page
    client.post_form(f"/orders/c/{order.checkout.access_token}/cancel/{order.id}", {"confirm": "y"})

    # Then it is refused: no mail, no change
    assert outbox == []
    assert _state(order.id) == state


def test_a_mail_that_fails_neither_undoes_the_change_nor_breaks_the_page(
    placed, client, outbox, monkeypatch, caplog
):
    # Given a mail system that fails while the order is cancelled
    order, _, _ = placed

    def fails(*args, **kwargs):
        raise RuntimeError("mail template broken")

    monkeypatch.setattr("app.messaging.email.EmailProvider.send", fails)
    log_in(client, "0912000777")

    # When the farm cancels the order
    response = client.post_form(
        f"/dashboard/orders/{order.id}/cancel", {"reason": "Mưa đá", "confirm": "y"}
    )

    # Then the farm is sent back to its orders, the order stays cancelled, the failure is
    # logged and the mail waits in the outbox for another attempt
    assert response.status_code == 302
    assert _state(order.id) == ("cancelled", "unpaid")
    assert "mail template broken" in caplog.text
    message = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "order_cancelled")
    ).one()
    assert (message.status, message.attempts) == ("retrying", 1)
    assert message.last_error == "RuntimeError: mail template broken"


def test_the_mail_is_written_in_the_transaction_and_only_sent_after_it(placed, monkeypatch):
    # Given a mail system that notes whether a database transaction is open as it sends
    order, farmer, _ = placed
    sent_inside_a_transaction = []

    def send(provider, message):
        sent_inside_a_transaction.append(db.session().in_transaction())

    monkeypatch.setattr("app.messaging.email.EmailProvider.send", send)

    # When the farm confirms the transfer and the change commits
    services.confirm_transfer(order, farmer)
    db.session.commit()

    # Then the mail went out with no transaction open: no read (and on SQLite no write lock)
    # is held while an SMTP server answers
    assert sent_inside_a_transaction == [False]


def test_the_expire_orders_command_mails_each_buyer_it_cancels(placed, app, outbox):
    order, _, _ = placed
    order.pay_before = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["expire-orders"])

    assert "1 unpaid order(s) expired." in result.output
    assert [m["Subject"] for m in outbox] == [f"Order {order.number} is cancelled"]
    assert db.session.scalar(select(Order.status).where(Order.id == order.id)) == "cancelled"
