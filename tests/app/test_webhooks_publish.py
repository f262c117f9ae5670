"""publish(): one delivery per endpoint that wants the event: the farm's own, and operators'
whose scope holds the farm's province; never another farm's, a paused one, or one whose owner
is no longer an operator. publish_once() publishes a key's event a single time."""

# ruff: noqa: F811  (the listener fixtures are imported from tests.app.webhook_helpers)

from __future__ import annotations

from app.auth.roles import Role
from app.extensions import db
from app.webhooks import publish, publish_once
from tests.app.factories import make_user
from tests.app.webhook_helpers import (  # noqa: F401  (fixtures)
    allow_local,
    farm_endpoint,
    operator_endpoint,
)
from tests.farms.factories import make_farm

URL = "http://127.0.0.1:9/"


def test_the_event_goes_to_the_farms_and_the_covering_operators_endpoints(app, allow_local):
    farm, other = make_farm(province_code="31"), make_farm(province_code="31")
    own, _ = farm_endpoint(farm, farm.members[0].user, URL)
    farm_endpoint(other, other.members[0].user, URL)
    farm_endpoint(farm, farm.members[0].user, URL, ["batch.recalled"])  # not this event
    country, _ = operator_endpoint(make_user(Role.OPERATOR), URL)
    province, _ = operator_endpoint(make_user(Role.OPERATOR, operator_province_code="31"), URL)
    operator_endpoint(make_user(Role.OPERATOR, operator_province_code="01"), URL)
    paused, _ = operator_endpoint(make_user(Role.OPERATOR), URL)
    paused.active = False
    demoted_user = make_user(Role.OPERATOR)
    operator_endpoint(demoted_user, URL)
    demoted_user.role = Role.FARMER.value
    db.session.flush()

    sent = publish("order.paid", {"order": {"id": 1}}, farm_id=farm.id, province_code="31")

    assert sorted(d.endpoint_id for d in sent) == sorted([own.id, country.id, province.id])
    assert len({d.event_id for d in sent}) == 1
    assert len({d.payload for d in sent}) == 1


def test_without_a_province_only_country_wide_operators_hear(app, allow_local):
    country, _ = operator_endpoint(make_user(Role.OPERATOR), URL)
    operator_endpoint(make_user(Role.OPERATOR, operator_province_code="31"), URL)

    sent = publish("order.paid", {"order": {"id": 1}})

    assert [d.endpoint_id for d in sent] == [country.id]


def test_publish_once_publishes_a_key_a_single_time(app, allow_local):
    operator_endpoint(make_user(Role.OPERATOR), URL)

    assert publish_once("certificate.expiring:1:2027-01-01", "certificate.expiring", {})
    assert not publish_once("certificate.expiring:1:2027-01-01", "certificate.expiring", {})
    assert publish_once("certificate.expiring:1:2028-01-01", "certificate.expiring", {})
