"""Signed bank notifications pay orders; forged, tampered, stale or replayed ones change nothing."""

import json
import time

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.extensions import db
from orders import services
from orders.bank_notifications import sign
from orders.models import BankCredit
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product

SECRET = "bank-shared-secret"


@pytest.fixture
def order(app):
    app.config["BANK_WEBHOOK_SECRET"] = SECRET
    variant = make_product(deliver_everywhere(make_farm()), prices=(180000,)).variants[0]
    placed = services.place_order(
        {variant.id: 2},
        buyer=None,
        contact=hanoi_contact(),
        payment_method="bank_transfer",
        shown_prices={variant.id: 180000},
        today=local_today(),
    ).orders[0]
    db.session.commit()
    yield placed
    app.config["BANK_WEBHOOK_SECRET"] = ""


def _post(client, payload: dict, *, secret=SECRET, timestamp=None, body=None):
    raw = body if body is not None else json.dumps(payload).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return client.post(
        "/payments/bank-notification",
        data=raw,
        content_type="application/json",
        headers={"X-Nongsan-Timestamp": stamp, "X-Nongsan-Signature": sign(secret, stamp, raw)},
    )


def _credit(order, amount=None, transaction="FT26112200001"):
    return {
        "id": transaction,
        "amount": amount or order.total_vnd,
        "description": f"LE MINH ANH chuyen tien {order.number} vai thieu",
    }


def test_an_exact_credit_pays_and_confirms_the_order(client, order):
    response = _post(client, _credit(order))
    assert response.status_code == 200 and response.json == {"status": "paid"}
    db.session.refresh(order)
    assert (order.payment_status, order.status) == ("paid", "confirmed")


def test_a_number_written_with_a_dash_still_matches(client, order):
    payload = {
        **_credit(order),
        "description": f"thanh toan don {order.number[:2]}-{order.number[2:]}",
    }
    assert _post(client, payload).json == {"status": "paid"}


def test_a_replayed_notification_changes_nothing(client, order):
    _post(client, _credit(order))
    again = _post(client, _credit(order))
    assert again.json == {"status": "duplicate"}
    assert db.session.scalar(select(func.count(BankCredit.id))) == 1
    db.session.refresh(order)
    assert len([e for e in order.events if e.kind == "payment"]) == 1


@pytest.mark.parametrize("amount, outcome", [(100000, "partial"), (999000, "excess")])
def test_wrong_amounts_are_flagged_for_review(client, order, amount, outcome):
    assert _post(client, _credit(order, amount)).json == {"status": outcome}
    db.session.refresh(order)
    assert (order.payment_status, order.status) == ("needs_review", "awaiting_payment")


def test_a_forged_signature_changes_nothing(client, order):
    response = _post(client, _credit(order), secret="guessed-secret")
    assert response.status_code == 400
    db.session.refresh(order)
    assert order.payment_status == "unpaid"


def test_a_tampered_body_changes_nothing(client, order):
    stamp = str(int(time.time()))
    raw = json.dumps(_credit(order, 1)).encode()
    signature = sign(SECRET, stamp, raw)
    tampered = raw.replace(b'"amount": 1', f'"amount": {order.total_vnd}'.encode())
    response = client.post(
        "/payments/bank-notification",
        data=tampered,
        content_type="application/json",
        headers={"X-Nongsan-Timestamp": stamp, "X-Nongsan-Signature": signature},
    )
    assert response.status_code == 400
    db.session.refresh(order)
    assert order.payment_status == "unpaid"


def test_an_old_timestamp_is_refused(client, order):
    response = _post(client, _credit(order), timestamp=int(time.time()) - 3600)
    assert response.status_code == 400 and response.json == {"error": "stale timestamp"}


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"id": "x"}', b'{"id": "x", "amount": -5}', b'{"id": "x", "amount": "12"}'],
)
def test_malformed_bodies_are_refused(client, order, body):
    assert _post(client, {}, body=body).status_code == 400


def test_an_unmatched_credit_is_kept_for_a_person(client, order):
    payload = {"id": "FT1", "amount": 50000, "description": "tien hang"}
    assert _post(client, payload).json == {"status": "unmatched"}
    db.session.refresh(order)
    assert order.payment_status == "unpaid"


def test_the_endpoint_is_off_without_a_secret(app, client):
    app.config["BANK_WEBHOOK_SECRET"] = ""
    assert client.post("/payments/bank-notification", data=b"{}").status_code == 404
