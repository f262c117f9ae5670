"""Farm factories: real farms made through the services, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import timedelta

from app.auth.roles import Role
from app.clock import local_today
from farms import services
from farms.models import Farm
from tests.app.factories import make_user

_numbers = itertools.count(1)


def make_farm(owner=None, **overrides) -> Farm:
    n = next(_numbers)
    owner = owner or make_user(role=Role.FARMER)
    profile = {
        "name": f"Vườn vải số {n}",
        "kind": "household",
        "province_code": "31",
        "commune": "xã Thanh Hà",
        "story": "",
        "contact_phone": None,
    }
    profile.update(overrides)
    return services.open_farm(owner, **profile)


def make_growing_area(farm, **overrides):
    fields = {
        "name": "Vườn thôn Thúy Lâm",
        "code": "VN-HPTH-0123",
        "crop": "Vải thiều",
        "area_ha": "1.5",
        "commune": "xã Thanh Hà",
        "latitude": "",
        "longitude": "",
    }
    fields.update(overrides)
    return services.add_growing_area(farm, farm.members[0].user, **fields)


def make_certification(farm, *, verified_by=None, **overrides):
    # Valid whatever today is: issued a year ago, expiring in two years.
    today = local_today()
    fields = {
        "scheme": "vietgap",
        "other_scheme": None,
        "number": "VietGAP-TT-21-0457",
        "issuer": "Quacert",
        "issued_on": today - timedelta(days=365),
        "expires_on": today + timedelta(days=730),
    }
    fields.update(overrides)
    certification = services.add_certification(farm, farm.members[0].user, **fields)
    if verified_by is not None:
        services.verify_certification(certification, verified_by)
    return certification
