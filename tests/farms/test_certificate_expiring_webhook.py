"""certificate.expiring: the daily job publishes it once per certificate, 30 days before it
expires, to the farm's endpoints and its province operators'; a renewal is announced anew."""
# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.roles import Role
from app.clock import local_today
from app.extensions import db
from farms.certificate_notices import announce_expiring_certificates
from tests.app.factories import make_user
from tests.app.webhook_helpers import (  # noqa: F401  (fixtures)
    allow_local,
    farm_endpoint,
    listener,
    operator_endpoint,
)
from tests.farms.factories import make_certification, make_farm

TODAY = local_today()


@pytest.fixture
def farm(app, listener):
    farm = make_farm(province_code="31")
    farm_endpoint(farm, farm.members[0].user, listener.url, ["certificate.expiring"])
    db.session.commit()
    return farm


def test_a_certificate_is_announced_once_thirty_days_before_it_expires(farm, listener):
    certificate = make_certification(farm, expires_on=TODAY + timedelta(days=30))
    make_certification(farm, number="LATER", expires_on=TODAY + timedelta(days=31))
    make_certification(farm, number="GONE", expires_on=TODAY - timedelta(days=1))

    assert announce_expiring_certificates(TODAY) == 1
    db.session.commit()
    # The next days it is not announced again; the later one is, on its day.
    assert announce_expiring_certificates(TODAY + timedelta(days=1)) == 1
    assert announce_expiring_certificates(TODAY + timedelta(days=2)) == 0
    db.session.commit()

    first, second = (r.json()["data"]["certificate"] for r in listener.requests)
    assert listener.requests[0].headers["nongsan-event"] == "certificate.expiring"
    assert (first["id"], first["days_left"]) == (certificate.id, 30)
    assert first["expires_on"] == (TODAY + timedelta(days=30)).isoformat()
    assert second["number"] == "LATER"


def test_a_renewed_certificate_is_announced_again(farm, listener):
    certificate = make_certification(farm, expires_on=TODAY + timedelta(days=10))
    announce_expiring_certificates(TODAY)
    certificate.expires_on = TODAY + timedelta(days=400)

    assert announce_expiring_certificates(TODAY + timedelta(days=375)) == 1
    db.session.commit()
    assert len(listener.requests) == 2


def test_operators_of_another_province_hear_nothing(farm, listener):
    elsewhere = make_user(Role.OPERATOR, operator_province_code="01")
    operator_endpoint(elsewhere, listener.url + "?elsewhere", ["certificate.expiring"])
    make_certification(farm, expires_on=TODAY + timedelta(days=5))

    announce_expiring_certificates(TODAY)
    db.session.commit()

    assert [r.path for r in listener.requests] == ["/"]
