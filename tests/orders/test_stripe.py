"""Card payments: Stripe Checkout in đồng, and only the signed webhook marks orders paid."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from sqlalchemy import func, select

from app.extensions import db
from orders.models import Checkout, LedgerEntry, ProcessedStripeEvent
from orders.stripe_payments import farm_balance
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.stripe_fake import FakeStripeHTTP
from tests.support.web import page_text, review_fields

WEBHOOK_SECRET = "whsec_test_secret"
ADDRESS = {
    "name": "Anna Nguyen",
    "phone": "0987654321",
    "email": "anna@example.com",
    "province_code": "79",
    "commune": "26740",  # Phường Sài Gòn
    "street": "45 Lê Lợi",
}


@pytest.fixture
def stripe_app(app):
    fake = FakeStripeHTTP()
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_HTTP_CLIENT=fake,
        PLATFORM_COMMISSION_PERCENT=5,
    )
    yield fake
    app.config.update(
        STRIPE_SECRET_KEY="",
        STRIPE_WEBHOOK_SECRET="",
        STRIPE_HTTP_CLIENT=None,
        PLATFORM_COMMISSION_PERCENT=0,
    )


@pytest.fixture
def card_checkout(client, stripe_app):
    variant = make_product(deliver_everywhere(make_farm()), prices=(125000,)).variants[0]
    db.session.commit()
    client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "2"})
    fields = {**ADDRESS, "payment_method": "stripe"}
    review = client.post_form("/checkout", {**fields, "step": "review"})
    response = client.post_form("/checkout", {**fields, "step": "place", **review_fields(review)})
    return response, db.session.scalar(select(Checkout))


def _event(checkout, kind="checkout.session.completed", payment_status="paid", event_id="evt_1"):
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": checkout.stripe_session_id,
                    "object": "checkout.session",
                    "payment_status": payment_status,
                }
            },
        }
    )


def _send(client, payload, secret=WEBHOOK_SECRET, timestamp=None):
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp or int(time.time())
    )
    return client.post(
        "/payments/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


def test_the_buyer_goes_to_stripe_with_amounts_in_whole_dong(client, card_checkout, stripe_app):
    response, checkout = card_checkout
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="https://checkout.stripe.com/c/pay/cs_test_0001" data-testid="pay-by-card"' in page
    _, url, form = stripe_app.requests[-1]
    assert url.endswith("/v1/checkout/sessions")
    order = checkout.orders[0]
    assert form["line_items[0][price_data][currency]"] == ["vnd"]
    assert form["line_items[0][price_data][unit_amount]"] == [str(order.total_vnd)]
    assert order.total_vnd == 250000 + order.delivery_fee_vnd  # never ×100
    assert checkout.stripe_session_id == "cs_test_0001"
    assert order.payment_status == "unpaid"  # the redirect alone pays nothing


def test_stripe_returns_the_buyer_to_the_configured_address_not_the_requests_host(
    client, stripe_app
):
    # The request is to localhost; BASE_URL (tests/conftest.py) is https://nongsan.test.
    variant = make_product(deliver_everywhere(make_farm()), prices=(125000,)).variants[0]
    db.session.commit()
    client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "1"})
    fields = {**ADDRESS, "payment_method": "stripe"}
    review = client.post_form("/checkout", {**fields, "step": "review"})
    client.post_form("/checkout", {**fields, "step": "place", **review_fields(review)})
    checkout = db.session.scalar(select(Checkout))
    _, _, form = stripe_app.requests[-1]
    expected = f"https://nongsan.test/orders/c/{checkout.access_token}"
    assert form["success_url"] == form["cancel_url"] == [expected]


def test_the_signed_completed_event_pays_the_orders_and_fills_the_ledger(client, card_checkout):
    _, checkout = card_checkout
    response = _send(client, _event(checkout))
    assert response.status_code == 200 and response.json == {"status": "paid"}
    order = checkout.orders[0]
    db.session.refresh(order)
    assert (order.payment_status, order.status) == ("paid", "confirmed")
    commission = order.total_vnd * 5 // 100
    assert farm_balance(order.farm) == order.total_vnd - commission
    farmer = order.farm.members[0].user
    farmer.phone = "+84912000777"
    db.session.commit()
    client.post_form("/logout")
    from tests.app.factories import log_in

    log_in(client, "0912000777")
    page = client.get(f"/dashboard/farms/{order.farm_id}/reports").get_data(as_text=True)
    balance = f"{order.total_vnd - commission:,}".replace(",", ".")
    assert f'data-testid="ledger-balance">{balance}' in page


def test_a_replayed_event_changes_nothing(client, card_checkout):
    _, checkout = card_checkout
    _send(client, _event(checkout))
    before = database_snapshot()
    again = _send(client, _event(checkout))
    assert again.json == {"status": "duplicate"}
    assert database_snapshot() == before
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 2
    assert db.session.scalar(select(func.count(ProcessedStripeEvent.id))) == 1


def test_a_forged_signature_is_a_400_and_changes_nothing(client, card_checkout):
    _, checkout = card_checkout
    before = database_snapshot()
    response = _send(client, _event(checkout), secret="whsec_guessed")
    assert response.status_code == 400
    assert database_snapshot() == before


def test_a_tampered_body_is_a_400(client, card_checkout):
    _, checkout = card_checkout
    payload = _event(checkout, payment_status="unpaid")
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    tampered = payload.replace('"unpaid"', '"paid"')
    before = database_snapshot()
    response = client.post(
        "/payments/stripe/webhook",
        data=tampered,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )
    assert response.status_code == 400
    assert database_snapshot() == before  # not paid, no ledger entry, no event recorded


def test_an_old_timestamp_is_a_400(client, card_checkout):
    _, checkout = card_checkout
    before = database_snapshot()
    response = _send(client, _event(checkout), timestamp=int(time.time()) - 3600)
    assert response.status_code == 400
    assert database_snapshot() == before


def test_a_delayed_payment_waits_then_settles_on_the_async_event(client, card_checkout):
    _, checkout = card_checkout
    assert _send(client, _event(checkout, payment_status="unpaid")).json == {"status": "waiting"}
    _send(client, _event(checkout, "checkout.session.async_payment_succeeded", event_id="evt_2"))
    db.session.refresh(checkout.orders[0])
    assert checkout.orders[0].payment_status == "paid"


@pytest.mark.parametrize(
    "kind", ["checkout.session.async_payment_failed", "checkout.session.expired"]
)
def test_a_failed_or_expired_payment_cancels_and_gives_the_stock_back(client, card_checkout, kind):
    _, checkout = card_checkout
    order = checkout.orders[0]
    variant = order.lines[0].variant
    assert _send(client, _event(checkout, kind, payment_status="unpaid")).json == {
        "status": "cancelled"
    }
    db.session.refresh(order)
    db.session.refresh(variant)
    assert order.status == "cancelled" and variant.stock == 40


def test_card_payment_is_not_offered_without_keys(client, app):
    variant = make_product(deliver_everywhere(make_farm())).variants[0]
    db.session.commit()
    client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "1"})
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="stripe"' not in page
    before = database_snapshot()
    response = client.post_form(
        "/checkout", {**ADDRESS, "payment_method": "stripe", "step": "review"}
    )
    assert response.status_code == 422
    assert client.post("/payments/stripe/webhook", data=b"{}").status_code == 404
    assert database_snapshot() == before


def _cancel(client, checkout):
    order = checkout.orders[0]
    client.post_form(f"/orders/c/{checkout.access_token}/cancel/{order.id}", {"confirm": "y"})
    db.session.refresh(order)
    assert order.status == "cancelled"
    return order


def _ledger_rows():
    return db.session.scalar(select(func.count(LedgerEntry.id)))


def test_a_card_payment_after_cancellation_is_a_refund_to_make_not_a_sale(client, card_checkout):
    _, checkout = card_checkout
    order = _cancel(client, checkout)
    variant = order.lines[0].variant
    db.session.refresh(variant)
    assert variant.stock == 40  # the boxes went back on sale with the cancellation

    response = _send(client, _event(checkout))

    assert response.status_code == 200 and response.json == {"status": "refund_needed"}
    db.session.expire_all()
    assert (order.status, order.payment_status) == ("cancelled", "refund_needed")
    assert _ledger_rows() == 0 and farm_balance(order.farm) == 0
    assert variant.stock == 40


def test_the_farm_and_operators_see_the_refund_and_the_farm_records_it(client, card_checkout):
    from app.auth.roles import Role
    from tests.app.factories import log_in, make_user

    _, checkout = card_checkout
    order = _cancel(client, checkout)
    _send(client, _event(checkout))
    operator = make_user(Role.OPERATOR, full_name="Chị Vận Hành")
    farmer = order.farm.members[0].user
    farmer.phone = "+84912000777"
    db.session.commit()

    log_in(client, operator.phone)
    admin = page_text(client.get("/admin/payouts"))
    assert order.number in admin and "Cần hoàn tiền" in admin
    client.post_form("/logout")

    log_in(client, "0912000777")
    farm_page = client.get(f"/dashboard/farms/{order.farm_id}/orders?tab=all")
    assert "Cần hoàn tiền" in page_text(farm_page)
    client.post_form(
        f"/dashboard/orders/{order.id}/refund?tab=all", {"reason": "Hoàn tiền thẻ cho khách"}
    )
    db.session.expire_all()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert _ledger_rows() == 0  # no sale was credited, so no refund is taken from the farm
    client.post_form("/logout")
    log_in(client, operator.phone)
    assert order.number not in page_text(client.get("/admin/payouts"))


def test_an_order_past_its_time_to_pay_offers_no_card_payment(client, card_checkout):
    response, checkout = card_checkout
    checkout.orders[0].pay_before = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "pay-by-card" not in page and "checkout.stripe.com" not in page


def test_a_paid_card_order_cancelled_by_the_farm_is_a_refund_and_leaves_the_balance(
    client, card_checkout
):
    from app.auth.roles import Role
    from tests.app.factories import log_in, make_user

    _, checkout = card_checkout
    _send(client, _event(checkout))
    order = checkout.orders[0]
    farmer = order.farm.members[0].user
    farmer.phone = "+84912000777"
    operator = make_user(Role.OPERATOR, full_name="Chị Vận Hành")
    db.session.commit()
    log_in(client, "0912000777")

    client.post_form(f"/dashboard/orders/{order.id}/cancel", {"reason": "Mưa đá", "confirm": "y"})

    db.session.expire_all()
    assert (order.status, order.payment_status) == ("cancelled", "refund_needed")
    assert farm_balance(order.farm) == 0  # nothing an operator could pay out by mistake
    client.post_form(f"/dashboard/orders/{order.id}/refund", {"reason": "Hoàn tiền thẻ"})
    db.session.expire_all()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert farm_balance(order.farm) == 0  # reversed once, not twice
    client.post_form("/logout")
    log_in(client, operator.phone)
    assert order.number not in page_text(client.get("/admin/payouts"))


def test_a_signature_header_with_non_ascii_characters_is_a_400(client, card_checkout):
    _, checkout = card_checkout
    before = database_snapshot()
    response = client.post(
        "/payments/stripe/webhook",
        data=_event(checkout),
        content_type="application/json",
        headers={"Stripe-Signature": f"t={int(time.time())},v1=é"},
    )
    assert response.status_code == 400
    assert database_snapshot() == before


def test_no_card_link_charges_an_order_that_was_cancelled(client, stripe_app):
    for name in ("Vườn vải", "HTX Bưởi"):
        variant = make_product(deliver_everywhere(make_farm(name=name))).variants[0]
        db.session.commit()
        client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "1"})
    fields = {**ADDRESS, "payment_method": "stripe"}
    review = client.post_form("/checkout", {**fields, "step": "review"})
    place = {**fields, "step": "place", **review_fields(review)}
    page_url = client.post_form("/checkout", place).headers["Location"]
    checkout = db.session.scalar(select(Checkout))
    assert 'data-testid="pay-by-card"' in client.get(page_url).get_data(as_text=True)

    _cancel(client, checkout)
    page = client.get(page_url)

    # The Stripe session charges every order of the checkout, the cancelled one included.
    assert "pay-by-card" not in page.get_data(as_text=True)
    assert "Thanh toán thẻ đã đóng" in page_text(page)


def test_a_second_paying_event_for_a_paid_checkout_credits_the_farm_once(client, card_checkout):
    # Given a checkout paid by card (sale and commission in the ledger)
    _, checkout = card_checkout
    _send(client, _event(checkout))
    order = checkout.orders[0]
    db.session.refresh(order)
    balance, rows, events = farm_balance(order.farm), _ledger_rows(), len(order.events)

    # When Stripe also sends its async success for the same session (another event id)
    kind = "checkout.session.async_payment_succeeded"
    assert _send(client, _event(checkout, kind=kind, event_id="evt_2")).status_code == 200

    # Then the farm is not credited twice and the order's history is unchanged
    db.session.expire_all()
    assert (farm_balance(order.farm), _ledger_rows(), len(order.events)) == (balance, rows, events)
