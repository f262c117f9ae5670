"""/api/v1/operator/payouts: what the platform owes each farm of the operator's scope, the
payouts recorded, and recording one through orders.payouts as the payouts page does."""

from __future__ import annotations

import pytest

from app.auth.api_tokens import ApiToken
from app.extensions import db
from farms import services as farms
from orders import payouts
from orders.models import LedgerEntry
from orders.stripe_payments import farm_balance
from tests.api.operator_support import (
    READ,
    country_operator,
    headers_of,
    province_operator,
    two_provinces_farms,
)
from tests.support.snapshots import database_snapshot

VIETCOMBANK = "970436"

#: Balances are written into the ledger by hand here, without the orders behind them.
pytestmark = pytest.mark.ledger_by_hand


def owe(farm, amount_vnd: int) -> None:
    """What the Stripe webhook writes when a card payment for the farm succeeds."""
    db.session.add(LedgerEntry(farm_id=farm.id, kind="sale", amount_vnd=amount_vnd, note="NS1"))
    db.session.flush()


def test_the_farms_owed_of_the_province_with_their_bank_accounts(client, app):
    ours, theirs = two_provinces_farms()
    farms.set_bank_account(
        ours,
        ours.members[0].user,
        bank_bin=VIETCOMBANK,
        account_number="0011 0022 33",
        holder_name="Nguyễn Văn Lan",
    )
    owe(ours, 750_000)
    owe(theirs, 900_000)

    response = client.get(
        "/api/v1/operator/payouts/owed", headers=headers_of(province_operator(), READ)
    )

    assert response.status_code == 200
    (row,) = response.get_json()["items"]
    assert (row["farm_id"], row["balance_vnd"]) == (ours.id, 750_000)
    assert row["bank_account"]["holder_name"] == "NGUYEN VAN LAN"
    assert row["bank_account"]["bank_name"] == "Vietcombank"


def test_an_operator_records_a_payout_in_integer_dong(client, app):
    ours, _ = two_provinces_farms()
    owe(ours, 500_000)
    operator = province_operator()

    response = client.post(
        f"/api/v1/operator/farms/{ours.id}/payouts",
        json={"amount_vnd": 300_000, "reference": "FT2611220001"},
        headers=headers_of(operator),
    )

    assert response.status_code == 201
    body = response.get_json()
    assert (body["amount_vnd"], body["reference"], body["recorded_by_id"]) == (
        300_000,
        "FT2611220001",
        operator.id,
    )
    assert farm_balance(ours) == 200_000


def test_a_payout_above_the_balance_is_refused_and_changes_nothing(client, app):
    ours, _ = two_provinces_farms()
    owe(ours, 500_000)
    headers = headers_of(province_operator(), language="vi")
    before = database_snapshot()

    response = client.post(
        f"/api/v1/operator/farms/{ours.id}/payouts",
        json={"amount_vnd": 600_000, "reference": "FT1"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "amount" in response.get_json()["errors"]
    assert "không thể chuyển nhiều hơn" in response.get_json()["detail"]
    assert database_snapshot() == before


def test_a_payout_amount_is_whole_dong(client, app):
    ours, _ = two_provinces_farms()
    owe(ours, 500_000)
    headers = headers_of(province_operator())
    before = database_snapshot()

    response = client.post(
        f"/api/v1/operator/farms/{ours.id}/payouts",
        json={"amount_vnd": 1000.5, "reference": "FT1"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "amount_vnd" in response.get_json()["errors"]
    assert database_snapshot() == before


def test_another_provinces_farm_is_not_paid_nor_listed(client, app):
    ours, theirs = two_provinces_farms()
    owe(theirs, 500_000)
    operator = province_operator()
    headers = headers_of(operator)
    before = database_snapshot(excluding=[ApiToken])  # its list reads note the use

    paid = client.post(
        f"/api/v1/operator/farms/{theirs.id}/payouts",
        json={"amount_vnd": 100_000, "reference": "FT1"},
        headers=headers,
    )
    owed = client.get("/api/v1/operator/payouts/owed", headers=headers)

    assert paid.status_code == 404
    assert owed.get_json()["items"] == []
    assert database_snapshot(excluding=[ApiToken]) == before


def test_payouts_are_listed_newest_first_within_the_scope(client, app):
    ours, theirs = two_provinces_farms()
    owe(ours, 500_000)
    owe(theirs, 500_000)
    operator = province_operator()
    first = payouts.record_payout(ours, operator, "100000", "FT1")
    second = payouts.record_payout(ours, operator, "50000", "FT2")
    payouts.record_payout(theirs, country_operator(), "100000", "FT3")

    response = client.get("/api/v1/operator/payouts", headers=headers_of(operator, READ))

    items = response.get_json()["items"]
    assert [item["id"] for item in items] == [second.id, first.id]
    assert [item["amount_vnd"] for item in items] == [50_000, 100_000]


def test_a_reference_no_database_can_keep_is_refused(client, app):
    ours, _ = two_provinces_farms()
    owe(ours, 500_000)
    headers = headers_of(province_operator(), language="vi")
    before = database_snapshot()

    response = client.post(
        f"/api/v1/operator/farms/{ours.id}/payouts",
        json={"amount_vnd": 1000, "reference": "FT\x001"},
        headers=headers,
    )

    assert response.status_code == 422
    assert response.get_json()["errors"]["reference"] == [
        "Đoạn chữ này chứa ký tự không phải là chữ."
    ]
    assert database_snapshot() == before


def test_a_retried_payout_answers_the_first_and_records_nothing_more(client, app):
    """A client that lost the 201 sends the payout again: the same reference and amount get
    the first payout back (200); another amount under that reference is refused (422)."""
    ours, _ = two_provinces_farms()
    owe(ours, 500_000)
    headers = headers_of(province_operator(), language="vi")
    url = f"/api/v1/operator/farms/{ours.id}/payouts"
    first = client.post(url, json={"amount_vnd": 300_000, "reference": "FT9"}, headers=headers)
    before = database_snapshot()

    again = client.post(url, json={"amount_vnd": 300_000, "reference": "FT9"}, headers=headers)
    other_amount = client.post(
        url, json={"amount_vnd": 200_000, "reference": "FT9"}, headers=headers
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert other_amount.status_code == 422
    assert "reference" in other_amount.get_json()["errors"]
    assert "đã được ghi nhận" in other_amount.get_json()["detail"]
    assert database_snapshot() == before
    assert farm_balance(ours) == 200_000


def test_a_reference_used_days_ago_is_refused_not_answered_with_the_old_payout(client, app):
    """A client sending the same generic reference every week must learn that nothing was
    recorded: only a retry within a day gets the earlier payout back."""
    from datetime import timedelta

    ours, _ = two_provinces_farms()
    owe(ours, 500_000)
    headers = headers_of(province_operator(), language="vi")
    url = f"/api/v1/operator/farms/{ours.id}/payouts"
    client.post(url, json={"amount_vnd": 100_000, "reference": "CK tuan"}, headers=headers)
    last_week = db.session.query(LedgerEntry).filter_by(kind="payout").one()
    last_week.created_at -= timedelta(days=7)
    db.session.commit()
    before = database_snapshot()

    response = client.post(
        url, json={"amount_vnd": 100_000, "reference": "CK TUAN"}, headers=headers
    )

    assert response.status_code == 422
    assert "reference" in response.get_json()["errors"]
    assert database_snapshot() == before
    assert farm_balance(ours) == 400_000
