"""How order and payment states are named to people: every known state has its own label,
and a value the code does not know (an old row, say) is shown as stored rather than hidden."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from orders.states import (
    OrderStatus,
    PaymentStatus,
    can_move,
    payment_status_label,
    status_label,
)


@pytest.mark.parametrize(
    ("status", "label"),
    [(OrderStatus.AWAITING_PAYMENT, "Awaiting payment"), (OrderStatus.PACKED, "Packed")],
)
def test_an_order_status_is_named_by_its_label(app, status, label):
    with app.test_request_context(), force_locale("en"):
        assert str(status_label(status)) == label
        assert str(status_label(status.value)) == label


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (PaymentStatus.NEEDS_REVIEW, "Payment to check"),
        (PaymentStatus.REFUND_NEEDED, "Refund needed"),
    ],
)
def test_a_payment_status_is_named_by_its_label(app, status, label):
    with app.test_request_context(), force_locale("en"):
        assert str(payment_status_label(status)) == label


def test_every_state_has_a_label_of_its_own(app):
    with app.test_request_context(), force_locale("en"):
        order_labels = {str(status_label(s)) for s in OrderStatus}
        payment_labels = {str(payment_status_label(s)) for s in PaymentStatus}

    assert len(order_labels) == len(OrderStatus) and not order_labels & {
        s.value for s in OrderStatus
    }
    assert len(payment_labels) == len(PaymentStatus)


def test_an_unknown_status_is_shown_as_stored():
    assert status_label("lost_in_transit") == "lost_in_transit"
    assert payment_status_label("chargeback") == "chargeback"


def test_can_move_reads_the_table_in_the_direction_of_travel():
    assert can_move("awaiting_payment", "confirmed")
    assert not can_move("confirmed", "awaiting_payment")
    assert not can_move("awaiting_payment", "packed")


def test_can_move_refuses_a_state_that_does_not_exist():
    with pytest.raises(ValueError):
        can_move("confirmed", "teleported")
