"""A cooperative attaches an existing account to a member household only with its consent."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.auth.roles import Role
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from farms import services
from farms.models import FarmMember, MemberInvitation
from farms.permissions import can_manage, managed_farms
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text


@pytest.fixture
def cooperative(app):
    return make_farm(kind="cooperative", name="HTX Bưởi Thanh Hồng")


@pytest.fixture
def buyer(app):
    return make_user(Role.BUYER, identifier="0912000113", full_name="Vũ Thị Mận")


def _add_household(cooperative, phone="0912 000 113"):
    return services.add_member_household(
        cooperative,
        cooperative.members[0].user,
        name="Hộ bà Mận",
        commune="xã Hà Nam",
        contact_phone=phone,
    )


def _memberships(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(FarmMember).where(FarmMember.user_id == user.id)
    )


def test_adding_an_existing_account_only_invites_it(cooperative, buyer):
    # When the manager adds a household whose phone belongs to a buyer's account
    household = _add_household(cooperative)

    # Then the buyer is invited, and nothing about the account changed
    assert buyer.role == "buyer"
    assert _memberships(buyer) == 0
    assert household.members == [] and not can_manage(buyer, household)
    (invitation,) = services.pending_invitations(buyer)
    assert invitation.household is household and invitation.status == "pending"


def test_accepting_the_invitation_makes_the_account_run_the_household(cooperative, buyer):
    household = _add_household(cooperative)
    (invitation,) = services.pending_invitations(buyer)

    services.accept_invitation(invitation, buyer)

    assert invitation.status == "accepted" and invitation.answered_at is not None
    assert buyer.role == "farmer" and can_manage(buyer, household)
    assert [f.name for f in managed_farms(buyer)] == ["Hộ bà Mận"]
    assert services.pending_invitations(buyer) == []


def test_declining_the_invitation_changes_nothing_on_the_account(cooperative, buyer):
    household = _add_household(cooperative)
    (invitation,) = services.pending_invitations(buyer)

    services.decline_invitation(invitation, buyer)

    assert invitation.status == "declined"
    assert buyer.role == "buyer" and not can_manage(buyer, household)
    before = database_snapshot()
    with pytest.raises(DomainError):
        services.accept_invitation(invitation, buyer)
    assert database_snapshot() == before


def test_another_account_cannot_accept_the_invitation(cooperative, buyer):
    _add_household(cooperative)
    (invitation,) = services.pending_invitations(buyer)
    manager = cooperative.members[0].user
    stranger = make_user(Role.BUYER)
    before = database_snapshot()

    for actor in (manager, stranger):
        with pytest.raises(PermissionDenied):
            services.accept_invitation(invitation, actor)

    assert database_snapshot() == before  # still pending, no member, no role changed


def test_an_invitation_is_answered_once(cooperative, buyer):
    _add_household(cooperative)
    (invitation,) = services.pending_invitations(buyer)
    services.accept_invitation(invitation, buyer)
    before = database_snapshot()

    with pytest.raises(DomainError):
        services.accept_invitation(invitation, buyer)
    with pytest.raises(DomainError):
        services.decline_invitation(invitation, buyer)
    assert database_snapshot() == before


def test_the_invitee_accepts_from_their_dashboard(app, cooperative, buyer):
    # Given an invitation, shown on the buyer's dashboard and profile
    household = _add_household(cooperative)
    client = app.test_client()
    log_in(client, "0912000113")
    dashboard = client.get("/dashboard")
    assert "Hộ bà Mận" in page_text(dashboard) and "HTX Bưởi Thanh Hồng" in page_text(dashboard)
    assert 'href="/dashboard"' in client.get("/profile").get_data(as_text=True)
    action = re.search(
        r'action="(/dashboard/invitations/\d+/accept)"', dashboard.get_data(as_text=True)
    ).group(1)

    # When the buyer accepts
    response = client.post_form(action)

    # Then they run the household
    assert response.status_code == 302
    db.session.refresh(buyer)
    assert buyer.role == "farmer" and can_manage(buyer, household)


def test_another_account_cannot_accept_over_http(app, cooperative, buyer):
    _add_household(cooperative)
    (invitation,) = services.pending_invitations(buyer)
    make_user(Role.BUYER, identifier="0912000222")
    intruder = app.test_client()
    log_in(intruder, "0912000222")
    before = database_snapshot()

    response = intruder.post_form(f"/dashboard/invitations/{invitation.id}/accept")

    assert response.status_code == 403
    assert database_snapshot() == before


def test_the_manager_is_told_the_same_whether_or_not_the_phone_has_an_account(
    app, cooperative, buyer
):
    client = app.test_client()
    cooperative.members[0].user.phone = "+84912000999"
    db.session.flush()
    log_in(client, "0912000999")
    url = f"/dashboard/farms/{cooperative.id}/members/new"

    answers = [
        page_text(
            client.post_form(
                url,
                {"name": f"Hộ {phone}", "commune": "xã Hà Nam", "contact_phone": phone},
                follow_redirects=True,
            )
        )
        for phone in ("0912000113", "0912000114")
    ]

    assert "Vũ Thị Mận" not in answers[0]
    flash = re.compile(r"Đã thêm hộ thành viên[^.]*\.")
    assert flash.search(answers[0]).group(0) == flash.search(answers[1]).group(0)
    assert db.session.scalar(select(func.count()).select_from(MemberInvitation)) == 1


def test_the_public_farm_page_shows_no_account_name(app, client, cooperative, buyer):
    household = _add_household(cooperative)
    (invitation,) = services.pending_invitations(buyer)
    services.accept_invitation(invitation, buyer)
    owner_name = cooperative.members[0].user.full_name

    for farm in (household, cooperative):
        text = page_text(client.get(f"/farms/{farm.slug}"))
        assert "Vũ Thị Mận" not in text and owner_name not in text


def test_a_farm_page_does_not_name_the_account_that_runs_it(client):
    owner = make_user(Role.FARMER, full_name="Nguyễn Thị Hoa")
    farm = make_farm(owner, name="Vườn vải nhà Hoa")

    text = page_text(client.get(f"/farms/{farm.slug}"))

    assert "Vườn vải nhà Hoa" in text and "Nguyễn Thị Hoa" not in text
