"""Operators record payouts of what card buyers paid; a farm sees them on its statement."""

import pytest

from app.auth.roles import Role
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from orders import payouts
from orders.models import LedgerEntry
from orders.stripe_payments import farm_balance
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

#: Balances are written into the ledger by hand here, without the orders behind them.
pytestmark = pytest.mark.ledger_by_hand


def owe(farm, amount_vnd: int) -> None:
    """What the Stripe webhook writes when a card payment for the farm succeeds."""
    db.session.add(LedgerEntry(farm_id=farm.id, kind="sale", amount_vnd=amount_vnd, note="NS1"))
    db.session.flush()


@pytest.fixture
def operator(app):
    return make_user(Role.OPERATOR, full_name="Chị Vận Hành")


def test_a_payout_lowers_the_balance_and_names_who_recorded_it(app, operator):
    farm = make_farm()
    owe(farm, 500_000)

    entry = payouts.record_payout(farm, operator, "300.000", "FT2611220001")

    assert farm_balance(farm) == 200_000
    assert (entry.kind, entry.amount_vnd, entry.note) == ("payout", -300_000, "FT2611220001")
    assert entry.recorded_by_id == operator.id


@pytest.mark.parametrize(
    ("amount", "reference", "field"),
    [
        ("600000", "FT1", "amount"),
        ("0", "FT1", "amount"),
        ("ba trăm", "FT1", "amount"),
        ("100000", "  ", "reference"),
    ],
)
def test_a_wrong_payout_is_refused_and_changes_nothing(app, operator, amount, reference, field):
    farm = make_farm()
    owe(farm, 500_000)
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        payouts.record_payout(farm, operator, amount, reference)

    assert refused.value.field == field
    assert farm_balance(farm) == 500_000
    assert database_snapshot() == before


def test_only_operators_record_payouts(app):
    farm = make_farm()
    owe(farm, 500_000)
    owner = farm.members[0].user
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        payouts.record_payout(farm, owner, "100000", "FT1")

    assert database_snapshot() == before


def test_the_payouts_page_lists_farms_owed_and_records_a_transfer(app, client, operator):
    owed, settled = make_farm(name="Vườn vải Cô Lan"), make_farm(name="Vườn cam Bác Tư")
    owe(owed, 750_000)
    owe(settled, 0)
    db.session.commit()
    log_in(client, operator.phone)

    page = client.get("/admin/payouts").get_data(as_text=True)
    assert "Vườn vải Cô Lan" in page and "750.000" in page
    assert "Vườn cam Bác Tư" not in page

    before = database_snapshot()
    too_much = client.post_form(
        f"/admin/farms/{owed.id}/payouts",
        {f"farm{owed.id}-amount": "800000", f"farm{owed.id}-reference": "FT1"},
    )
    assert too_much.status_code == 422
    assert "750.000" in too_much.get_data(as_text=True)
    assert database_snapshot() == before

    done = client.post_form(
        f"/admin/farms/{owed.id}/payouts",
        {f"farm{owed.id}-amount": "750000", f"farm{owed.id}-reference": "FT2611220001"},
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert "FT2611220001" in page and "Chị Vận Hành" in page
    assert 'data-testid="nothing-owed"' in page
    assert farm_balance(owed) == 0


def test_farmers_cannot_open_the_payouts_page(app, client):
    farm = make_farm()
    db.session.commit()
    log_in(client, farm.members[0].user.phone)
    before = database_snapshot()

    assert client.get("/admin/payouts").status_code == 403
    response = client.post_form(
        f"/admin/farms/{farm.id}/payouts",
        {f"farm{farm.id}-amount": "1", f"farm{farm.id}-reference": "x"},
    )
    assert response.status_code == 403
    assert database_snapshot() == before


def test_the_farm_sees_the_payout_on_its_statement(app, client, operator):
    farm = make_farm()
    owe(farm, 400_000)
    payouts.record_payout(farm, operator, "400000", "FT2611220002")
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    page = client.get(f"/dashboard/farms/{farm.id}/reports").get_data(as_text=True)

    assert "Đã chuyển về tài khoản ngân hàng" in page
    assert "FT2611220002" in page
    assert "-400.000" in page


def test_a_payout_to_a_farm_owed_nothing_is_refused_with_a_message(app, client, operator):
    farm = make_farm()
    db.session.commit()
    log_in(client, operator.phone)
    before = database_snapshot()

    response = client.post_form(
        f"/admin/farms/{farm.id}/payouts",
        {f"farm{farm.id}-amount": "100000", f"farm{farm.id}-reference": "FT9"},
    )

    assert response.status_code == 422
    assert "0 ₫" in page_text(response).replace("\xa0", " ")
    assert database_snapshot() == before


def test_the_owed_list_is_for_operators_only(app):
    with pytest.raises(PermissionDenied):
        payouts.farms_owed(make_farm().members[0].user)


def test_a_transfer_reference_is_recorded_once_per_farm(app, operator):
    """The same transfer sent twice (a double submit, a retry) is one payout; the refusal
    comes before the balance check, so a retried full payout is named as recorded."""
    farm = make_farm()
    owe(farm, 500_000)
    payouts.record_payout(farm, operator, "500000", "FT2611220001")
    before = database_snapshot()

    with pytest.raises(payouts.PayoutAlreadyRecorded) as refused:
        payouts.record_payout(farm, operator, "500000", "ft2611220001")  # letter case aside

    assert refused.value.field == "reference"
    assert "FT2611220001" in str(refused.value.message)
    assert refused.value.earlier.amount_vnd == -500_000
    assert database_snapshot() == before
    # Another farm may carry the same reference (one transfer per farm is the rule).
    other = make_farm()
    owe(other, 100_000)
    assert payouts.record_payout(other, operator, "100000", "FT2611220001").farm_id == other.id


@pytest.mark.parametrize(
    ("amount", "reference", "says"),
    [
        ("ba trăm", "FT1", "Số tiền đã chuyển"),
        ("100000", "  ", "mã giao dịch chuyển khoản"),
        ("100000", "F" * 101, "tối đa 100"),
    ],
)
def test_a_refused_payout_names_the_field_in_words(app, operator, amount, reference, says):
    farm = make_farm()
    owe(farm, 500_000)

    with pytest.raises(DomainError) as refused:
        payouts.record_payout(farm, operator, amount, reference)

    assert says in str(refused.value.message)


def test_a_reference_of_a_hundred_characters_is_kept_whole(app, operator):
    farm = make_farm()
    owe(farm, 500_000)

    entry = payouts.record_payout(farm, operator, "100000", "F" * 100)

    assert entry.note == "F" * 100


def test_only_an_earlier_payout_blocks_a_reference_not_a_sale_with_that_note(app, operator):
    """The card sale's entry carries the order number as its note ("NS1", see owe()): a
    payout whose bank reference happens to read the same is a new transfer."""
    farm = make_farm()
    owe(farm, 500_000)

    entry = payouts.record_payout(farm, operator, "200000", "NS1")

    assert (entry.kind, entry.note) == ("payout", "NS1")
    with pytest.raises(payouts.PayoutAlreadyRecorded) as refused:
        payouts.record_payout(farm, operator, "200000", "NS1")
    # The earlier transfer is named with its amount, as the operator typed it.
    assert "NS1 (200.000\xa0₫)" in str(refused.value.message)  # a no-break space before ₫


def test_farms_owed_lists_every_farm_with_a_balance_largest_first(app, operator):
    """Down to a single đồng; a farm paid in full, or owed nothing, is not listed."""
    small, large, one_dong, paid = make_farm(), make_farm(), make_farm(), make_farm()
    owe(small, 100_000)
    owe(large, 400_000)
    owe(large, 300_000)  # two card sales: one balance
    owe(one_dong, 1)
    owe(paid, 50_000)
    payouts.record_payout(paid, operator, "50000", "FT-PAID")

    owed = payouts.farms_owed(operator)

    assert [(row.farm.id, row.balance_vnd) for row in owed] == [
        (large.id, 700_000),
        (small.id, 100_000),
        (one_dong.id, 1),
    ]


def test_statements_and_recent_payouts_are_newest_first_and_bounded(app, operator):
    """Entries recorded in the same instant come newest id first; the limit holds."""
    from app.db import utcnow

    farm = make_farm()
    owe(farm, 500_000)
    entries = [payouts.record_payout(farm, operator, "1000", f"FT{n}") for n in range(3)]
    same_moment = utcnow()
    for entry in entries:
        entry.created_at = same_moment
    db.session.flush()
    db.session.expire_all()

    newest_two = [entry.note for entry in payouts.recent_payouts(operator, limit=2)]
    statement = [entry.note for entry in payouts.statement(farm, operator, limit=3)]

    assert newest_two == ["FT2", "FT1"]
    assert statement == ["FT2", "FT1", "FT0"]  # the sale ("NS1") is the oldest, left out
    assert [e.recorded_by.full_name for e in payouts.recent_payouts(operator)] == [
        "Chị Vận Hành"
    ] * 3


def test_an_unknown_ledger_kind_is_shown_as_it_is_stored(app):
    assert payouts.ledger_kind_label("payout") == "Đã chuyển về tài khoản ngân hàng"
    assert payouts.ledger_kind_label("adjustment") == "adjustment"
