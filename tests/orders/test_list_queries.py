"""The buyer's and the operator's order lists run a fixed number of statements."""

import pytest

from app.auth.roles import Role
from app.extensions import db
from orders import payouts
from orders.models import LedgerEntry
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_checkout, make_order
from tests.products.factories import make_product
from tests.support.queries import assert_fixed_queries, count_queries
from tests.support.web import page_text


def _variant_of_a_new_farm(name: str):
    farm = deliver_everywhere(make_farm(name=name))
    return make_product(farm, name=f"Vải của {name}", prices=(120000,)).variants[0]


def test_the_buyers_order_history_runs_a_fixed_number_of_queries(app, client):
    # Given a buyer with orders from two farms, then from six more
    buyer = make_user()

    def buy_from_new_farms(count: int) -> None:
        for n in range(count):
            make_order(_variant_of_a_new_farm(f"Vườn số {count}-{n}"), buyer=buyer)

    buy_from_new_farms(2)
    log_in(client, buyer.phone)

    # When the history grows, then its page costs the same
    response = assert_fixed_queries(client, "/orders", lambda: buy_from_new_farms(6))
    assert page_text(response).count("Vườn số") == 8


def _checkout_from_farms(count: int):
    """One checkout holding one order from each of `count` new farms, paid by transfer."""
    variants = [_variant_of_a_new_farm(f"Vườn {count}-{n}") for n in range(count)]
    return make_checkout(variants, payment_method="bank_transfer")


def test_the_checkout_page_runs_a_fixed_number_of_queries_whatever_its_farms(app, client):
    # Given a checkout of two farms' orders and one of six
    small, large = _checkout_from_farms(2), _checkout_from_farms(6)
    db.session.commit()
    for placed in (small, large):  # warm up: what a first visit loads once
        client.get(f"/orders/c/{placed.access_token}")

    # When each is shown, then both cost the same statements
    with count_queries() as few:
        client.get(f"/orders/c/{small.access_token}")
    with count_queries() as many:
        response = client.get(f"/orders/c/{large.access_token}")
    assert page_text(response).count("Vải của Vườn 6-") == 6
    assert len(many) == len(few), "\n".join(
        " ".join(s.split())[:150] for s in few + ["----"] + many
    )


@pytest.mark.ledger_by_hand
def test_the_payouts_page_runs_a_fixed_number_of_queries(app, client):
    # Given farms owed card money, each already paid part of it
    operator = make_user(role=Role.OPERATOR)

    def farms_owed(count: int) -> None:
        for n in range(count):
            farm = make_farm(name=f"Vườn được nợ {count}-{n}")
            db.session.add(LedgerEntry(farm_id=farm.id, kind="sale", amount_vnd=500_000, note="NS"))
            db.session.flush()
            payouts.record_payout(farm, operator, "100000", f"FT{farm.id}")

    farms_owed(1)
    log_in(client, operator.phone)

    # When five more farms are owed, then the page costs the same
    response = assert_fixed_queries(client, "/admin/payouts", lambda: farms_owed(5))
    assert page_text(response).count("Vườn được nợ") >= 6


@pytest.mark.ledger_by_hand
def test_the_farm_reports_run_a_fixed_number_of_queries(app, client):
    # Given a farm with one sale and one card sale on its statement, then five more of each
    variant = _variant_of_a_new_farm("Vườn báo cáo")
    farm = variant.product.farm

    def sales(count: int) -> None:
        for _ in range(count):
            make_order(variant, 1)
            db.session.add(LedgerEntry(farm_id=farm.id, kind="sale", amount_vnd=150_000, note="NS"))

    sales(1)
    log_in(client, farm.members[0].user.phone)

    # When the reports page shows them, then it costs the same
    response = assert_fixed_queries(client, f"/dashboard/farms/{farm.id}/reports", lambda: sales(5))
    assert "Vải của Vườn báo cáo" in page_text(response)


def test_the_cart_runs_a_fixed_number_of_queries_whatever_its_farms(app, client):
    # Given a cart with produce from one farm, then from four more
    def add_from_new_farms(count: int) -> None:
        for n in range(count):
            variant = _variant_of_a_new_farm(f"Vườn giỏ {count}-{n}")
            db.session.commit()
            client.post_form("/cart/add", {"variant_id": variant.id, "quantity": "1"})

    add_from_new_farms(1)

    # When the cart is shown (with the delivery fee to Hà Nội), then it costs the same
    response = assert_fixed_queries(client, "/cart?province=01", lambda: add_from_new_farms(4))
    assert page_text(response).count("Vải của Vườn giỏ") == 5
