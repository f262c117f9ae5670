"""Six operators verify the same farm at the same moment, on PostgreSQL: one verifies it,
the others are told it is done (409): the farm is verified once."""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from farms.models import Farm
from tests.api.operator_support import country_operator, headers_of, province_operator
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.support.database import upgrade_schema

OPERATORS = 6


@pytest.fixture
def waiting_farm(database_factory, tmp_path):
    """A database of its own with committed rows, since each operator has a connection."""
    app = make_test_app(
        database_factory("postgresql", "operator_verification_race"),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": OPERATORS + 2},
    )
    upgrade_schema(app)
    with app.app_context():
        farm = make_farm()
        operators = [province_operator() if n % 2 else country_operator() for n in range(OPERATORS)]
        headers = [headers_of(operator) for operator in operators]
        db.session.commit()
        farm_id = farm.id
    yield app, farm_id, headers
    with app.app_context():
        db.engine.dispose()


def test_one_of_many_operators_verifying_at_once_does_it(waiting_farm):
    app, farm_id, headers = waiting_farm
    start = threading.Barrier(OPERATORS)
    answers: list[int] = []
    lock = threading.Lock()

    def verify(their_headers):
        client = app.test_client()
        start.wait()
        response = client.post(
            f"/api/v1/operator/farms/{farm_id}/verification",
            json={"decision": "verify"},
            headers=their_headers,
        )
        with lock:
            answers.append(response.status_code)

    threads = [threading.Thread(target=verify, args=(h,)) for h in headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) == [200] + [409] * (OPERATORS - 1)
    with app.app_context():
        assert db.session.get(Farm, farm_id).verified_at is not None
