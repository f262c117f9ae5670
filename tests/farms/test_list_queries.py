"""Every list page of the farms domain runs a fixed number of statements, however long."""

import itertools

from app.auth.roles import Role
from farms import services
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_certification, make_farm
from tests.support.queries import assert_fixed_queries
from tests.support.web import page_text


def test_the_cooperative_dashboard_runs_a_fixed_number_of_queries(app, client):
    # Given a cooperative manager with one member household, then five more
    manager = make_user(role=Role.FARMER)
    cooperative = make_farm(owner=manager, kind="cooperative", name="HTX Vải Thanh Hà")

    numbers = iter(range(100))

    def households(count: int):
        for n in itertools.islice(numbers, count):
            services.add_member_household(
                cooperative,
                manager,
                name=f"Hộ ông Số {n}",
                commune="xã Thanh Hà",
                contact_phone=None,
            )

    households(1)
    log_in(client, manager.phone)

    # When the dashboard lists them, then six cost what two did
    response = assert_fixed_queries(client, "/dashboard", lambda: households(5))
    assert all(f"Hộ ông Số {n}" in page_text(response) for n in range(6))


def test_the_farm_verification_queue_runs_a_fixed_number_of_queries(app, client):
    # Given farms with certificates waiting for an operator
    operator = make_user(role=Role.OPERATOR)

    def farms_waiting(count: int):
        for n in range(count):
            make_certification(make_farm(name=f"Vườn chờ duyệt {n}"), number=f"VG-{n}")

    farms_waiting(2)
    log_in(client, operator.phone)

    # When the queue grows, then its page costs the same
    response = assert_fixed_queries(client, "/admin/farms", lambda: farms_waiting(6))
    assert page_text(response).count("Vườn chờ duyệt") >= 8
