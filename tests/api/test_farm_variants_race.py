"""Programs that change the same stock at once, on PostgreSQL: the bulk change compares and
sets under a row lock, so of several that read the same stock exactly one writes, and a sale
that commits while they wait is never overwritten."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from sqlalchemy import select, update

from app.extensions import db
from products.models import Variant
from tests.api.factories import bearer, make_token
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.database import upgrade_schema

PROGRAMS = 8
#: One database per test: the cluster lives for the whole session.
_databases = itertools.count(1)


@pytest.fixture
def shared_stock(database_factory, tmp_path):
    """A database of its own with committed rows, since each request has its connection."""
    app = make_test_app(
        database_factory("postgresql", f"bulk_stock_race_{next(_databases)}"),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": PROGRAMS + 2, "max_overflow": 4},
    )
    upgrade_schema(app)
    with app.app_context():
        farm = make_farm()
        variant = make_product(farm, publish=False).variants[0]
        # A token each: one token's first use stamps its row, which would queue them.
        tokens = [
            bearer(make_token(farm.members[0].user, {"products:write"}, name=f"program {n}"))
            for n in range(PROGRAMS)
        ]
        db.session.commit()
        ids = (farm.id, variant.id, variant.stock)
    yield app, tokens, *ids
    with app.app_context():
        db.engine.dispose()


def _send_all(app, tokens, farm_id, variant_id, expected) -> tuple[list, dict[int, int]]:
    """Start every program: program n sets the stock to 100 + n, expecting `expected`."""
    start = threading.Barrier(PROGRAMS)
    answers: dict[int, int] = {}
    lock = threading.Lock()

    def count_and_write(n: int):
        client = app.test_client()
        start.wait()
        response = client.patch(
            f"/api/v1/farms/{farm_id}/variants",
            json={
                "items": [{"variant_id": variant_id, "stock": 100 + n, "expected_stock": expected}]
            },
            headers=tokens[n],
        )
        with lock:
            answers[100 + n] = response.status_code

    threads = [threading.Thread(target=count_and_write, args=(n,)) for n in range(PROGRAMS)]
    for thread in threads:
        thread.start()
    return threads, answers


def _join(threads) -> None:
    for thread in threads:
        thread.join(timeout=60)


def test_of_programs_expecting_the_same_stock_exactly_one_writes(shared_stock):
    app, tokens, farm_id, variant_id, stock = shared_stock

    threads, answers = _send_all(app, tokens, farm_id, variant_id, stock)
    _join(threads)

    winners = [n for n, status in answers.items() if status == 200]
    assert len(winners) == 1, answers
    assert sorted(answers.values()) == [200] + [409] * (PROGRAMS - 1)
    with app.app_context():
        assert db.session.get(Variant, variant_id).stock == winners[0]


def test_a_sale_committed_while_programs_wait_is_not_overwritten(shared_stock):
    app, tokens, farm_id, variant_id, stock = shared_stock
    with app.app_context(), db.engine.connect() as sale:
        # Given a sale holding the variant's row
        sale.execute(select(Variant.id).where(Variant.id == variant_id).with_for_update())

        # When programs that read the old stock write while it holds it, and it then commits
        threads, answers = _send_all(app, tokens, farm_id, variant_id, stock)
        time.sleep(0.5)
        sale.execute(update(Variant).where(Variant.id == variant_id).values(stock=stock - 2))
        sale.commit()
        _join(threads)

        # Then every program is told the stock changed, and the sale stands
        assert sorted(answers.values()) == [409] * PROGRAMS, answers
        db.session.expire_all()
        assert db.session.get(Variant, variant_id).stock == stock - 2
