"""A farm's verified badge vouches for the identity an operator checked: its name, kind and
province. Changing any of them sends the farm back to the operators."""

import pytest

from app.auth.roles import Role
from app.extensions import db
from farms import services
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.support.markup import find_all
from tests.traceability.factories import make_batch

PROFILE = {
    "name": "Vườn vải Thành Hà",
    "kind": "household",
    "province_code": "31",
    "commune": "xã Thanh Hà",
    "story": "Ba thế hệ.",
    "contact_phone": "0912 345 678",
}


def _verified_farm():
    farm = make_farm(**PROFILE)
    operator = make_user(role=Role.OPERATOR)
    services.verify_farm(farm, operator)
    db.session.commit()
    return farm


@pytest.mark.parametrize(
    "changes",
    [{"name": "Vườn vải Đổi Tên"}, {"kind": "company"}, {"province_code": "01"}],
)
def test_changing_the_checked_identity_clears_the_verified_badge(client, changes):
    # Given a verified farm with a batch
    farm = _verified_farm()
    batch = make_batch(farm)
    db.session.commit()
    # When its owner changes its name, kind or province
    services.update_farm(farm, farm.members[0].user, **{**PROFILE, **changes})
    db.session.commit()
    # Then it waits for an operator again, and no public page shows the badge
    assert (farm.verified_at, farm.verified_by_id) == (None, None)
    for address in (f"/farms/{farm.slug}", f"/trace/{farm.slug}/{batch.code}"):
        response = client.get(address)
        assert response.status_code == 200
        # (the label page carries site.css inline: look at its elements, not its text)
        assert find_all(response.get_data(as_text=True), "span", "badge-verified") == []


def test_a_changed_farm_is_listed_as_waiting_for_the_operators(client):
    # Given a verified farm that its owner renames
    farm = _verified_farm()
    services.update_farm(farm, farm.members[0].user, **{**PROFILE, "name": "Tên mới"})
    db.session.commit()
    # When an operator opens the farms list
    make_user(identifier="0912000999", role=Role.OPERATOR)
    log_in(client, "0912000999")
    html = client.get("/admin/farms").get_data(as_text=True)
    # Then the farm offers "verify" again instead of the badge
    entry = html.split(f'data-testid="admin-farm-{farm.slug}"')[1].split("</li>")[0]
    assert "Tên mới" in entry
    assert f"/admin/farms/{farm.id}/verify" in entry and "badge-verified" not in entry


@pytest.mark.parametrize(
    "changes",
    [{"story": "Bốn thế hệ trồng vải."}, {"contact_phone": "0987 654 321"}, {}],
)
def test_editing_the_story_or_phone_keeps_the_verified_badge(client, changes):
    farm = _verified_farm()
    verified_at = farm.verified_at
    services.update_farm(farm, farm.members[0].user, **{**PROFILE, **changes})
    db.session.commit()
    assert farm.verified_at == verified_at and farm.verified_by_id is not None
    assert "badge-verified" in client.get(f"/farms/{farm.slug}").get_data(as_text=True)
