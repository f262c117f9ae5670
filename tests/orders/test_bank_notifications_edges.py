"""The edges of reading a bank notification: what each refusal says (the 400's body tells the
sender), where each limit falls, and what is kept of a payer's free text."""

from __future__ import annotations

import json

import pytest

from orders.bank_notifications import (
    MAX_AMOUNT,
    TOLERANCE_SECONDS,
    RejectedNotification,
    sign,
    verify,
)

SECRET = "bank-shared-secret"
NOW = 1_800_000_000


def _verify(payload=None, *, body=None, secret=SECRET, stamp=str(NOW), signature=None):
    raw = body if body is not None else json.dumps(payload).encode()
    signature = sign(secret, stamp, raw) if signature is None else signature
    return verify(secret, stamp, signature, raw, now=NOW)


def _payload(**changes):
    return {"id": "FT1", "amount": 5000, "account": "257678859", "description": "NS000123"} | (
        changes
    )


def _refusal(**kwargs) -> str:
    with pytest.raises(RejectedNotification) as refused:
        _verify(**kwargs)
    return str(refused.value)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_in_hex():
    # Given the sender's documented recipe, computed independently
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()

    # Then ours agrees to the character
    assert sign("k", "1700000000", b"{}") == expected


def test_a_genuine_notification_is_read_into_its_four_fields():
    assert _verify(_payload(account="2576 7885-9", description="ck NS000123")) == {
        "id": "FT1",
        "amount": 5000,
        "account": "257678859",
        "description": "ck NS000123",
    }


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"secret": ""}, "missing signature"),
        ({"stamp": ""}, "missing signature"),
        ({"signature": ""}, "missing signature"),
        ({"stamp": "17e8"}, "bad timestamp"),
        ({"stamp": "²"}, "bad timestamp"),
        ({"stamp": "1" * 13}, "bad timestamp"),
        ({"stamp": str(NOW - TOLERANCE_SECONDS - 1)}, "stale timestamp"),
        ({"signature": "0" * 64}, "bad signature"),
        ({"body": b"[1, 2]"}, "malformed body"),
        ({"body": b"not json"}, "malformed body"),
    ],
)
def test_each_refusal_says_why(changes, reason):
    assert _refusal(payload=_payload(), **changes) == reason


def test_a_timestamp_of_twelve_digits_is_read_not_refused_as_malformed():
    # Twelve digits is the longest timestamp read; it is then simply far from our clock.
    assert _refusal(payload=_payload(), stamp="9" * 12) == "stale timestamp"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": True}, "malformed body"),
        ({"id": None}, "malformed body"),
        ({"id": ""}, "bad transaction id"),
        ({"id": "F" * 65}, "bad transaction id"),
        ({"id": "FT\x1f1"}, "bad transaction id"),
        ({"id": "FT\x7f1"}, "bad transaction id"),
        ({"account": 257678859}, "bad account"),
        ({"account": "2576\n78859"}, "bad account"),
        ({"account": "- -"}, "bad account"),
        ({"account": "1" * 35}, "bad account"),
        ({"amount": True}, "bad amount"),
        ({"amount": 0}, "bad amount"),
        ({"amount": MAX_AMOUNT + 1}, "bad amount"),
        ({"amount": 5000.0}, "bad amount"),
    ],
)
def test_each_bad_field_is_named(changes, reason):
    assert _refusal(payload=_payload(**changes)) == reason


def test_the_largest_values_allowed_are_accepted():
    notification = _verify(_payload(id="F" * 64, account="1" * 34, amount=MAX_AMOUNT))

    assert (notification["id"], notification["account"], notification["amount"]) == (
        "F" * 64,
        "1" * 34,
        MAX_AMOUNT,
    )


def test_the_smallest_amount_read_is_one_dong():
    assert _verify(_payload(amount=1))["amount"] == 1


def test_a_numeric_transaction_id_is_kept_as_text():
    assert _verify(_payload(id=120045))["id"] == "120045"


def test_a_lower_case_account_is_compared_upper_case():
    assert _verify(_payload(account="vn12 ab"))["account"] == "VN12AB"


@pytest.mark.parametrize(
    ("description", "kept"),
    [(None, ""), (12345, "12345"), ("a\tb\x00c", "a b c")],
)
def test_the_description_is_kept_as_text_without_control_characters(description, kept):
    assert _verify(_payload(description=description))["description"] == kept


def test_a_missing_description_is_empty():
    payload = _payload()
    del payload["description"]

    assert _verify(payload)["description"] == ""


def test_a_long_description_is_cut_to_500_characters():
    assert _verify(_payload(description="x" * 600))["description"] == "x" * 500


# What a credit writes in the order's history -----------------------------------------------


@pytest.fixture
def order(app):
    from tests.orders.test_bank_notifications import _farm_with_account, _place

    app.config["BANK_WEBHOOK_SECRET"] = SECRET
    yield _place(_farm_with_account())
    app.config["BANK_WEBHOOK_SECRET"] = ""


def _record(order, amount=None, transaction="FT26112200001"):
    from orders.bank_notifications import record_credit
    from tests.orders.test_bank_notifications import _credit

    return record_credit(_credit(order, amount, transaction))


def _history(order):
    from app.extensions import db

    db.session.refresh(order)
    return [(e.kind, e.from_state, e.to_state, e.note) for e in order.events][1:]


def test_an_exact_credit_is_written_in_the_history_as_paid_then_confirmed(order):
    assert _record(order).outcome == "paid"

    assert _history(order) == [
        ("payment", "unpaid", "paid", "bank notification"),
        ("status", "awaiting_payment", "confirmed", "paid by bank transfer"),
    ]


def test_a_wrong_amount_is_written_in_the_history_with_what_arrived(order):
    assert _record(order, 100000).outcome == "partial"

    assert _history(order) == [
        ("payment", "unpaid", "needs_review", "bank credit of 100000 đồng (partial); please review")
    ]


@pytest.mark.parametrize(("difference", "outcome"), [(-1, "partial"), (1, "excess")])
def test_one_dong_off_the_total_is_kept_for_review(order, difference, outcome):
    assert _record(order, order.total_vnd + difference).outcome == outcome


def test_a_credit_after_cancellation_is_written_in_the_history_with_what_to_refund(order):
    from orders import services

    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)

    assert _record(order, 360000).outcome == "refund_needed"

    assert _history(order)[-1] == (
        "payment",
        "unpaid",
        "refund_needed",
        "bank credit of 360000 đồng after cancellation; refund the buyer",
    )


def test_a_replay_is_recognised_before_anything_is_written(order):
    # Given a credit already recorded, and other work of the same transaction not yet committed
    from app.extensions import db

    _record(order)
    order.checkout.contact_name = "Lê Minh Anh (đã gọi lại)"
    db.session.flush()

    # When the bank sends the same transaction again
    assert _record(order) is None

    # Then the replay is turned away without undoing the rest of the transaction
    db.session.refresh(order.checkout)
    assert order.checkout.contact_name == "Lê Minh Anh (đã gọi lại)"
