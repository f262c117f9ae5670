"""A farm's delivery settings over the API: the delivery page's services and rules."""

from __future__ import annotations

from app.auth.api_tokens import ApiToken
from app.extensions import db
from orders.delivery import set_delivery_settings, set_zone
from orders.models import DeliverySettings
from tests.api.factories import bearer, make_token
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot

SETTINGS = {
    "min_order_vnd": 100000,
    "free_delivery_from_vnd": 500000,
    "pickup_enabled": True,
    "pickup_address": "Thôn Thúy Lâm, xã Thanh Hà",
}
ZONE = {"fee_rule": "per_weight", "fee_vnd": 15000, "weight_step_grams": 5000}


def _snapshot():
    """Every row but the tokens' own, whose last use a request stamps."""
    return database_snapshot(excluding=[ApiToken])


def _owner(farm):
    return farm.members[0].user


def _token(farm, scopes=("farm:read", "farm:write"), *, key=False) -> dict:
    return bearer(make_token(_owner(farm), set(scopes), farm=farm if key else None))


def _url(farm, *rest) -> str:
    return "/".join([f"/api/v1/farms/{farm.id}/delivery", *rest])


def _stored(farm) -> DeliverySettings | None:
    db.session.expire_all()
    return db.session.scalar(db.select(DeliverySettings).filter_by(farm_id=farm.id))


def test_a_farm_that_never_set_delivery_reads_the_empty_settings_and_nothing_is_written(
    client, app
):
    farm = make_farm()

    response = client.get(_url(farm), headers=_token(farm))

    assert response.status_code == 200
    assert response.get_json() == {
        "min_order_vnd": 0,
        "free_delivery_from_vnd": None,
        "pickup_enabled": False,
        "pickup_address": None,
        "zones": [],
    }
    assert _stored(farm) is None


def test_the_settings_and_zones_read_as_the_page_saved_them(client, app):
    farm = make_farm()
    set_delivery_settings(farm, _owner(farm), **SETTINGS)
    set_zone(farm, _owner(farm), province_code="01", fee_rule="flat", fee_vnd="30000")

    response = client.get(_url(farm), headers=_token(farm))

    body = response.get_json()
    assert {key: body[key] for key in SETTINGS} == SETTINGS
    assert body["zones"] == [
        {
            "province_code": "01",
            "fee_rule": "flat",
            "fee_vnd": 30000,
            "weight_step_grams": None,
            "min_days": 2,
            "max_days": 4,
        }
    ]


def test_put_replaces_the_settings_through_the_service(client, app):
    farm = make_farm()

    response = client.put(_url(farm), json=SETTINGS, headers=_token(farm))

    assert response.status_code == 200
    stored = _stored(farm)
    assert (stored.min_order_vnd, stored.free_delivery_from_vnd) == (100000, 500000)
    assert (stored.pickup_enabled, stored.pickup_address) == (True, SETTINGS["pickup_address"])
    assert response.get_json()["pickup_address"] == SETTINGS["pickup_address"]


def test_a_zone_is_added_then_replaced(client, app):
    farm = make_farm()
    headers = _token(farm)

    added = client.put(_url(farm, "zones", "01"), json=ZONE, headers=headers)
    replaced = client.put(
        _url(farm, "zones", "01"), json={"fee_rule": "flat", "fee_vnd": 20000}, headers=headers
    )

    assert added.status_code == 200
    assert added.get_json()["zones"][0]["weight_step_grams"] == 5000
    assert replaced.status_code == 200
    assert [(z.fee_rule, z.fee_vnd) for z in _stored(farm).zones] == [("flat", 20000)]


def test_a_refused_zone_is_a_422_naming_the_field_and_nothing_is_written(client, app):
    farm = make_farm()
    headers = _token(farm)
    before = _snapshot()

    response = client.put(
        _url(farm, "zones", "01"), json={**ZONE, "min_days": 5, "max_days": 3}, headers=headers
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["max_days"]
    assert _snapshot() == before


def test_an_unknown_province_is_refused(client, app):
    farm = make_farm()
    headers = _token(farm)
    before = _snapshot()

    response = client.put(_url(farm, "zones", "99"), json=ZONE, headers=headers)

    assert response.status_code == 422
    assert "province_code" in response.get_json()["errors"]
    assert _snapshot() == before


def test_pickup_cannot_stop_while_it_is_the_only_way_to_the_buyers(client, app):
    farm = make_farm()
    make_product(farm)  # published, its farm set to pickup only
    headers = _token(farm)
    before = _snapshot()

    response = client.put(_url(farm), json={**SETTINGS, "pickup_enabled": False}, headers=headers)

    assert response.status_code == 422
    assert "pickup_enabled" in response.get_json()["errors"]
    assert _snapshot() == before


def test_a_missing_field_is_a_422_naming_it(client, app):
    farm = make_farm()
    headers = _token(farm)
    before = _snapshot()

    response = client.put(
        _url(farm),
        json={k: v for k, v in SETTINGS.items() if k != "min_order_vnd"},
        headers=headers,
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["min_order_vnd"]
    assert _snapshot() == before


def test_a_pickup_address_with_markup_round_trips_as_plain_text(client, app):
    farm = make_farm()
    address = '<b>Vườn</b> & "cổng" <script>x</script>'

    client.put(_url(farm), json={**SETTINGS, "pickup_address": address}, headers=_token(farm))
    response = client.get(_url(farm), headers=_token(farm))

    assert response.get_json()["pickup_address"] == address


def _refused_on_another_farm(client, *, key: bool) -> None:
    mine, theirs = make_farm(), make_farm()
    set_delivery_settings(theirs, _owner(theirs), **SETTINGS)
    headers = _token(mine, key=key)
    before = _snapshot()

    read = client.get(_url(theirs), headers=headers)
    changed = client.put(_url(theirs), json={**SETTINGS, "min_order_vnd": 0}, headers=headers)
    zone = client.put(_url(theirs, "zones", "01"), json=ZONE, headers=headers)

    assert [read.status_code, changed.status_code, zone.status_code] == [403, 403, 403]
    assert _snapshot() == before


# Not parametrized: a function-level parameter next to the session's database one makes
# pytest reorder the tests and build the PostgreSQL application twice.
def test_a_personal_token_does_not_reach_another_farms_delivery(client, app):
    _refused_on_another_farm(client, key=False)


def test_a_farm_key_does_not_reach_another_farms_delivery(client, app):
    _refused_on_another_farm(client, key=True)


def test_a_farm_key_does_not_reach_another_farm_of_the_same_owner(client, app):
    farm = make_farm()
    sister = make_farm(owner=_owner(farm))
    headers = _token(farm, key=True)
    before = _snapshot()

    read = client.get(_url(sister), headers=headers)
    changed = client.put(_url(sister), json=SETTINGS, headers=headers)

    assert (read.status_code, changed.status_code) == (403, 403)
    assert _snapshot() == before


def test_a_read_only_token_cannot_change_the_settings(client, app):
    farm = make_farm()
    headers = _token(farm, {"farm:read"})
    before = _snapshot()

    read = client.get(_url(farm), headers=headers)
    changed = client.put(_url(farm), json=SETTINGS, headers=headers)
    zone = client.put(_url(farm, "zones", "01"), json=ZONE, headers=headers)

    assert (read.status_code, changed.status_code, zone.status_code) == (200, 403, 403)
    assert _snapshot() == before


def test_a_products_token_cannot_read_the_delivery(client, app):
    farm = make_farm()

    response = client.get(_url(farm), headers=_token(farm, {"products:read"}))

    assert response.status_code == 403
