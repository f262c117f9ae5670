"""A farm service that refuses leaves its object as it was, on its own: nothing half-written in
the session that another caller (a CLI, a job) could still commit. The refusal is caught
without a rollback; the snapshot flushes the session, so a half-written object shows."""

import pytest

from app.errors import DomainError
from farms import services
from tests.farms.factories import make_farm, make_growing_area
from tests.support.snapshots import database_snapshot

PROFILE = {
    "name": "Vườn mới",
    "kind": "household",
    "province_code": "31",
    "commune": "xã mới",
    "story": "Câu chuyện mới.",
    "contact_phone": "0912 345 678",
}


def _profile(farm) -> tuple:
    return (farm.name, farm.kind, farm.province_code, farm.commune, farm.story)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contact_phone": "123"}, "contact_phone"),
        ({"story": "x" * 5001}, "story"),
        ({"commune": ""}, "commune"),
    ],
)
def test_a_refused_profile_change_leaves_the_farm_as_it_was(app, changes, field):
    # Given a farm with a known profile
    farm = make_farm(name="Vườn cũ", commune="xã cũ")
    old = _profile(farm)
    before = database_snapshot()

    # When its owner changes every field but one is refused
    with pytest.raises(DomainError) as refused:
        services.update_farm(farm, farm.members[0].user, **{**PROFILE, **changes})

    # Then neither the object nor the database changed
    assert refused.value.field == field
    assert _profile(farm) == old
    assert database_snapshot() == before


AREA = {
    "name": "Khu mới",
    "code": "VN-HPTH-0999",
    "crop": "Nhãn",
    "area_ha": "3",
    "commune": "xã mới",
    "latitude": "21.1",
    "longitude": "106.2",
}


def _area(area) -> tuple:
    return (area.name, area.code, area.crop, area.area_ha, area.commune, area.latitude)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"longitude": "2.3"}, "longitude"),
        ({"latitude": ""}, "latitude"),
        ({"commune": ""}, "commune"),
        ({"area_ha": "0"}, "area_ha"),
    ],
)
def test_a_refused_growing_area_change_leaves_the_area_as_it_was(app, changes, field):
    # Given a growing area with known values
    farm = make_farm()
    area = make_growing_area(farm)
    old = _area(area)
    before = database_snapshot()

    # When every field changes but one is refused
    with pytest.raises(DomainError) as refused:
        services.update_growing_area(area, farm.members[0].user, **{**AREA, **changes})

    # Then neither the object nor the database changed
    assert refused.value.field == field
    assert _area(area) == old
    assert database_snapshot() == before
