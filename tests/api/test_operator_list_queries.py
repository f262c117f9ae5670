"""Every list of the operators' API runs a fixed number of statements, however long."""

from __future__ import annotations

import pytest

from app.extensions import db
from orders import payouts
from orders.models import LedgerEntry
from products import services as products
from tests.api.factories import make_token
from tests.api.operator_support import READ, province_operator
from tests.farms.factories import make_certification, make_farm
from tests.products.factories import make_product
from tests.support.queries import count_queries

#: Balances are written into the ledger by hand here, without the orders behind them.
pytestmark = pytest.mark.ledger_by_hand


def _farm_with_everything(operator):
    farm = make_farm()
    make_certification(farm)
    product = make_product(farm, publish=False)
    products.set_ocop(
        product,
        farm.members[0].user,
        stars=3,
        decision_number="QĐ-1",
        decision_date=product.created_at.date(),
    )
    db.session.add(LedgerEntry(farm_id=farm.id, kind="sale", amount_vnd=100_000, note="NS1"))
    db.session.flush()
    payouts.record_payout(farm, operator, "50000", "FT1")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/operator/farms",
        "/api/v1/operator/certifications",
        "/api/v1/operator/ocop-certificates",
        "/api/v1/operator/payouts",
        "/api/v1/operator/payouts/owed",
    ],
)
def test_an_operator_list_runs_a_fixed_number_of_statements(client, app, path):
    operator = province_operator()
    _farm_with_everything(operator)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(operator, READ)}"
    db.session.commit()
    assert client.get(path).status_code == 200  # the token's last use is written once

    with count_queries() as few:
        one = client.get(path)
    for _ in range(4):
        _farm_with_everything(operator)
    db.session.commit()
    with count_queries() as many:
        five = client.get(path)

    assert len(five.get_json()["items"]) == 5 * len(one.get_json()["items"]) > 0
    assert len(many) == len(few), "\n".join(" ".join(s.split())[:150] for s in many)
