"""Signed bank notifications pay orders; forged, tampered, stale or replayed ones change nothing."""

import json
import time

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.errors import DomainError
from app.extensions import db
from farms.services import set_bank_account
from orders import bank_notifications, services
from orders.bank_notifications import sign
from orders.models import BankCredit, LedgerEntry, Order
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot

SECRET = "bank-shared-secret"
#: The farm's own account, where its buyers' transfers land.
FARM_ACCOUNT = "257678859"


def _farm_with_account(account_number=FARM_ACCOUNT):
    farm = deliver_everywhere(make_farm())
    set_bank_account(
        farm,
        farm.members[0].user,
        bank_bin="970416",
        account_number=account_number,
        holder_name="Nguyen Van Thanh",
    )
    return farm


def _place(farm, method="bank_transfer"):
    variant = make_product(farm, prices=(180000,)).variants[0]
    placed = services.place_order(
        {variant.id: 2},
        buyer=None,
        contact=hanoi_contact(),
        payment_method=method,
        shown_prices={variant.id: 180000},
        today=local_today(),
    ).orders[0]
    db.session.commit()
    return placed


@pytest.fixture
def order(app):
    app.config["BANK_WEBHOOK_SECRET"] = SECRET
    yield _place(_farm_with_account())
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


def _credit(order, amount=None, transaction="FT26112200001", account=FARM_ACCOUNT):
    return {
        "id": transaction,
        "amount": amount or order.total_vnd,
        "account": account,
        "description": f"LE MINH ANH chuyen tien {order.number} vai thieu",
    }


def _snapshot(order):
    """Everything a credit could change: the order, its history, the ledger and the stock."""
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    return (
        order.status,
        order.payment_status,
        len(order.events),
        db.session.scalar(select(func.count(LedgerEntry.id))),
        [line.variant.stock for line in order.lines],
    )


def _only_credit():
    db.session.expire_all()
    return db.session.scalar(select(BankCredit))


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
    before = database_snapshot()
    again = _post(client, _credit(order))
    assert again.json == {"status": "duplicate"}
    assert database_snapshot() == before
    assert db.session.scalar(select(func.count(BankCredit.id))) == 1
    db.session.refresh(order)
    assert len([e for e in order.events if e.kind == "payment"]) == 1


@pytest.mark.parametrize("amount, outcome", [(100000, "partial"), (999000, "excess")])
def test_wrong_amounts_are_flagged_for_review(client, order, amount, outcome):
    assert _post(client, _credit(order, amount)).json == {"status": outcome}
    db.session.refresh(order)
    assert (order.payment_status, order.status) == ("needs_review", "awaiting_payment")


def test_a_forged_signature_changes_nothing(client, order):
    before = database_snapshot()
    response = _post(client, _credit(order), secret="guessed-secret")
    assert response.status_code == 400
    assert database_snapshot() == before


def test_a_tampered_body_changes_nothing(client, order):
    stamp = str(int(time.time()))
    raw = json.dumps(_credit(order, 1)).encode()
    signature = sign(SECRET, stamp, raw)
    tampered = raw.replace(b'"amount": 1', f'"amount": {order.total_vnd}'.encode())
    before = database_snapshot()
    response = client.post(
        "/payments/bank-notification",
        data=tampered,
        content_type="application/json",
        headers={"X-Nongsan-Timestamp": stamp, "X-Nongsan-Signature": signature},
    )
    assert response.status_code == 400
    assert database_snapshot() == before


def test_an_old_timestamp_is_refused(client, order):
    before = database_snapshot()
    response = _post(client, _credit(order), timestamp=int(time.time()) - 3600)
    assert response.status_code == 400 and response.json == {"error": "stale timestamp"}
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"id": "x"}', b'{"id": "x", "amount": -5}', b'{"id": "x", "amount": "12"}'],
)
def test_malformed_bodies_are_refused(client, order, body):
    before = database_snapshot()
    assert _post(client, {}, body=body).status_code == 400
    assert database_snapshot() == before


def test_an_unmatched_credit_is_kept_for_a_person(client, order):
    payload = {"id": "FT1", "amount": 50000, "account": FARM_ACCOUNT, "description": "tien hang"}
    assert _post(client, payload).json == {"status": "unmatched"}
    db.session.refresh(order)
    assert order.payment_status == "unpaid"


def test_the_endpoint_is_off_without_a_secret(app, client, order):
    app.config["BANK_WEBHOOK_SECRET"] = ""
    before = database_snapshot()
    # Even a notification signed with the old secret is not heard
    assert _post(client, _credit(order)).status_code == 404
    assert database_snapshot() == before


def test_the_destination_account_is_compared_whatever_its_spacing(client, order):
    payload = _credit(order, account=" 2576-7885 9 ")
    assert _post(client, payload).json == {"status": "paid"}


def test_a_credit_to_another_account_is_kept_for_review_and_changes_no_order(client, order):
    before = _snapshot(order)
    response = _post(client, _credit(order, account="0011002345678"))
    assert response.status_code == 200 and response.json == {"status": "wrong_account"}
    assert _snapshot(order) == before
    credit = _only_credit()
    assert (credit.outcome, credit.order_id, credit.account_number) == (
        "wrong_account",
        order.id,
        "0011002345678",
    )


def test_a_credit_to_a_farm_without_a_registered_account_is_kept_for_review(client, app):
    app.config["BANK_WEBHOOK_SECRET"] = SECRET
    order = _place(deliver_everywhere(make_farm()))
    before = _snapshot(order)
    assert _post(client, _credit(order)).json == {"status": "wrong_account"}
    assert _snapshot(order) == before


def test_a_description_naming_two_orders_pays_neither(client, order):
    other = _place(order.farm)
    before, other_before = _snapshot(order), _snapshot(other)
    payload = {**_credit(order), "description": f"tra tien {order.number} va {other.number}"}
    assert _post(client, payload).json == {"status": "several_orders"}
    assert (_snapshot(order), _snapshot(other)) == (before, other_before)
    assert _only_credit().order_id is None


def test_a_credit_for_a_cash_on_delivery_order_changes_nothing(client, order):
    cod = _place(order.farm, method="cod")
    before = _snapshot(cod)
    assert _post(client, _credit(cod)).json == {"status": "not_bank_transfer"}
    assert _snapshot(cod) == before
    assert _only_credit().order_id == cod.id


def test_a_second_credit_for_a_paid_order_changes_nothing(client, order):
    _post(client, _credit(order))
    before = _snapshot(order)
    again = _post(client, _credit(order, transaction="FT26112200002"))
    assert again.json == {"status": "already_paid"}
    assert _snapshot(order) == before


def test_a_credit_after_cancellation_is_money_to_refund_not_a_sale(client, order):
    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)
    db.session.commit()
    status, _, events, ledger, stock = _snapshot(order)
    assert stock == [40]  # the boxes are back on sale

    assert _post(client, _credit(order)).json == {"status": "refund_needed"}

    assert _snapshot(order) == ("cancelled", "refund_needed", events + 1, ledger, stock)
    assert _only_credit().outcome == "refund_needed"


def test_a_notification_without_the_destination_account_is_refused(client, order):
    payload = {key: value for key, value in _credit(order).items() if key != "account"}
    before = database_snapshot()
    assert _post(client, payload).status_code == 400
    assert database_snapshot() == before


@pytest.mark.parametrize("field", ["id", "account"])
def test_a_nul_in_an_identifier_is_a_400_not_a_500(client, order, field):
    payload = _credit(order)
    payload[field] = payload[field][:3] + "\x00" + payload[field][3:]
    before = _snapshot(order)
    assert _post(client, payload).status_code == 400
    assert _snapshot(order) == before
    assert _only_credit() is None


def test_a_nul_in_the_description_is_recorded_without_it(client, order):
    payload = {**_credit(order), "description": f"chuyen tien\x00 {order.number}"}
    assert _post(client, payload).json == {"status": "paid"}
    assert "\x00" not in _only_credit().description


def test_an_amount_past_32_bits_is_kept_for_review_not_a_500(client, order):
    response = _post(client, _credit(order, amount=2**31))
    assert response.status_code == 200 and response.json == {"status": "excess"}
    assert _only_credit().amount_vnd == 2**31
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("awaiting_payment", "needs_review")


@pytest.mark.parametrize("amount", [2**63, 10**30])
def test_an_amount_past_64_bits_is_refused(client, order, amount):
    before = database_snapshot()
    assert _post(client, _credit(order, amount=amount)).status_code == 400
    assert database_snapshot() == before


def test_a_signature_with_non_ascii_characters_is_a_400(client, order):
    before = database_snapshot()
    response = client.post(
        "/payments/bank-notification",
        data=json.dumps(_credit(order)).encode(),
        content_type="application/json",
        headers={"X-Nongsan-Timestamp": str(int(time.time())), "X-Nongsan-Signature": "é"},
    )
    assert response.status_code == 400
    assert database_snapshot() == before


def test_an_absurd_timestamp_is_a_400(client, order):
    before = database_snapshot()
    assert _post(client, _credit(order), timestamp="9" * 400).status_code == 400
    assert database_snapshot() == before


def test_a_lone_surrogate_in_the_id_is_a_400_and_in_the_description_is_recorded(client, order):
    before = database_snapshot()
    body = json.dumps({**_credit(order), "id": "FT\ud800"}).encode()
    assert _post(client, {}, body=body).status_code == 400
    assert database_snapshot() == before
    body = json.dumps({**_credit(order), "description": f"\ud800 {order.number}"}).encode()
    assert _post(client, {}, body=body).json == {"status": "paid"}
    assert order.number in _only_credit().description


@pytest.mark.parametrize("amount", [100000, 999000])
def test_a_wrong_amount_received_before_cancellation_is_money_to_refund(client, order, amount):
    # Given a transfer of the wrong amount, kept for review: the farm holds the buyer's money
    assert _post(client, _credit(order, amount)).json["status"] in ("partial", "excess")

    # When the buyer cancels the order
    outbox = client.application.extensions["mail_outbox"]
    outbox.clear()
    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)
    db.session.commit()

    # Then the money is to be given back, shown as "refund needed" like any paid order
    db.session.refresh(order)
    assert (order.status, order.payment_status) == ("cancelled", "refund_needed")

    # And the buyer's mail promises back what they sent, not the order's total
    from app.i18n import format_vnd

    [mail] = outbox
    body = mail.get_content()
    assert format_vnd(amount) in body and format_vnd(order.total_vnd) not in body


def test_the_refund_listed_is_the_money_received_not_the_order_total(client, order):
    from app.auth.roles import Role
    from app.i18n import format_vnd
    from tests.app.factories import log_in, make_user
    from tests.support.web import page_text

    # Given an order cancelled, then a transfer of part of its total that arrived afterwards
    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)
    db.session.commit()
    assert _post(client, _credit(order, 100000)).json == {"status": "refund_needed"}
    operator = make_user(Role.OPERATOR, full_name="Chị Vận Hành")
    db.session.commit()

    # When an operator reads the refunds to make
    log_in(client, operator.phone)
    page = client.get("/admin/payouts")

    # Then the order's row says 100,000 ₫ (what the buyer sent), not the order's total
    row = page_text(page).split(order.number, 1)[1].split(order.checkout.contact_name, 1)[0]
    assert format_vnd(100000).replace("\xa0", " ") in row
    assert format_vnd(order.total_vnd).replace("\xa0", " ") not in row


def test_the_farm_sees_how_much_to_give_back(client, order):
    from app.i18n import format_vnd
    from tests.app.factories import log_in
    from tests.support.web import page_text

    # Given a transfer of part of the total, kept for review, and then the order cancelled
    _post(client, _credit(order, 100000))
    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)
    farmer = order.farm.members[0].user
    db.session.commit()

    # When the farm opens its refunds tab
    log_in(client, farmer.phone)
    page = page_text(client.get(f"/dashboard/farms/{order.farm_id}/orders?tab=refunds"))

    # Then it reads the amount to give back: what the buyer sent
    assert order.number in page
    assert format_vnd(100000).replace("\xa0", " ") in page


def test_an_order_moved_under_the_notification_asks_the_bank_to_send_again(
    client, order, monkeypatch
):
    def moved_meanwhile(*args, **kwargs):
        raise DomainError("changed meanwhile")

    monkeypatch.setattr(bank_notifications, "move_order", moved_meanwhile)
    before = _snapshot(order)

    response = _post(client, _credit(order))

    assert response.status_code == 409
    assert _snapshot(order) == before
    assert _only_credit() is None  # kept nothing: the bank's retry is handled afresh


def test_an_order_number_hidden_inside_another_word_pays_nothing(client, order):
    # "TRANS 000123" compacts to "TRANS000123", which contains "NS000123" but names no order.
    payload = {**_credit(order), "description": f"TRANS {order.number[2:]} tien dien"}
    before = _snapshot(order)

    assert _post(client, payload).json == {"status": "unmatched"}

    assert _snapshot(order) == before
    assert _only_credit().order_id is None


@pytest.mark.parametrize("written", ["{n}", "ns {d}", "NS-{d}", "MBVCB.5732.{n}.CT"])
def test_an_order_number_as_people_write_it_pays_the_order(client, order, written):
    description = written.format(n=order.number, d=order.number[2:])
    assert _post(client, {**_credit(order), "description": description}).json == {"status": "paid"}


def test_a_second_credit_for_an_order_under_review_changes_nothing(client, order):
    # Given a transfer of part of the total, kept for review
    assert _post(client, _credit(order, 100000)).json == {"status": "partial"}
    before = _snapshot(order)

    # When a second credit of the order's exact total arrives
    again = _post(client, _credit(order, transaction="FT26112200002"))

    # Then a person decides: the order is neither paid nor confirmed by it
    assert again.json == {"status": "not_awaiting"}
    assert _snapshot(order) == before


@pytest.mark.parametrize("amount", [0, -1])
def test_a_credit_of_nothing_is_refused(client, order, amount):
    before = _snapshot(order)
    assert _post(client, {**_credit(order), "amount": amount}).status_code == 400
    assert _snapshot(order) == before
    assert _only_credit() is None


def test_an_account_number_longer_than_any_iban_is_refused(client, order):
    before = database_snapshot()
    assert _post(client, _credit(order, account="1" * 35)).status_code == 400
    assert database_snapshot() == before


@pytest.mark.parametrize("age, accepted", [(300, True), (301, False), (-300, True), (-301, False)])
def test_a_notification_is_fresh_for_five_minutes_either_side_of_our_clock(age, accepted):
    # Given a genuinely signed body sent `age` seconds before our clock (negative: ahead of it)
    now = 1_800_000_000
    body = b'{"id": "FT1", "amount": 5000, "account": "257678859"}'
    stamp = str(now - age)
    signature = sign(SECRET, stamp, body)

    # When it is verified, then only one within the tolerance is accepted
    if accepted:
        assert bank_notifications.verify(SECRET, stamp, signature, body, now=now)["id"] == "FT1"
    else:
        with pytest.raises(bank_notifications.RejectedNotification, match="stale"):
            bank_notifications.verify(SECRET, stamp, signature, body, now=now)


def test_without_a_shared_secret_nothing_verifies_even_when_signed_with_an_empty_key():
    # Anyone can compute an HMAC under an empty key: it must never count as a signature.
    now = 1_800_000_000
    body = b'{"id": "FT1", "amount": 5000, "account": "257678859"}'
    stamp = str(now)
    with pytest.raises(bank_notifications.RejectedNotification):
        bank_notifications.verify("", stamp, sign("", stamp, body), body, now=now)


def test_a_credit_to_another_account_is_not_counted_in_the_refund(client, order):
    """Money sent to the wrong account never reached the farm: the farm gives back only what
    it received (refund_needed), not that too."""
    from orders import payouts
    from orders.models import BankCredit

    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)
    db.session.commit()
    assert _post(client, _credit(order, 100000)).json == {"status": "refund_needed"}
    db.session.add(
        BankCredit(
            transaction_id="ELSEWHERE-1",
            amount_vnd=70000,
            account_number="999999",
            description=order.number,
            order_id=order.id,
            outcome="wrong_account",
        )
    )
    db.session.flush()

    assert payouts.refund_amounts([order]) == {order.id: 100000}
