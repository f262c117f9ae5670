"""Opening a shop, its members, growing areas, certificates and bank account."""

from datetime import date, timedelta

import pytest

from app.auth.roles import Role
from app.clock import local_today
from app.errors import DomainError, PermissionDenied
from farms import services
from farms.permissions import can_manage, managed_farms
from tests.app.factories import make_user
from tests.farms.factories import make_certification, make_farm, make_growing_area
from tests.support.snapshots import database_snapshot


def test_opening_a_farm_makes_a_buyer_a_farmer_and_gives_a_readable_address(app):
    buyer = make_user(role=Role.BUYER)
    farm = make_farm(owner=buyer, name="Vườn vải Thành Hà")
    assert farm.slug == "vuon-vai-thanh-ha"
    assert buyer.role == "farmer"
    assert farm.members[0].user is buyer


def test_two_farms_with_the_same_name_get_different_addresses(app):
    first = make_farm(name="Vườn cam Bắc Quang")
    second = make_farm(name="Vườn cam Bắc Quang")
    assert first.slug != second.slug and second.slug.startswith("vuon-cam-bac-quang")


def test_opening_a_cooperative_makes_its_founder_a_cooperative_manager(app):
    founder = make_user(role=Role.BUYER)
    make_farm(owner=founder, kind="cooperative", name="HTX Bưởi Thanh Hồng")
    assert founder.role == "coop_manager"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "N" * 161}, "name"),
        ({"kind": "castle"}, "kind"),
        ({"province_code": "30"}, "province_code"),
        ({"commune": ""}, "commune"),
        ({"contact_phone": "123"}, "contact_phone"),
    ],
)
def test_a_bad_profile_is_refused_and_nothing_is_created(app, changes, field):
    buyer = make_user(role=Role.BUYER)
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        make_farm(owner=buyer, **changes)
    assert refused.value.field == field
    assert database_snapshot() == before  # no farm, no membership, still a buyer


def test_a_farmer_cannot_touch_another_farm(app):
    mine = make_farm(name="Vườn của tôi")
    theirs = make_farm(name="Vườn hàng xóm")
    me = mine.members[0].user
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.update_farm(
            theirs,
            me,
            name="Đổi tên",
            kind="household",
            province_code="31",
            commune="x",
            story="",
            contact_phone=None,
        )
    with pytest.raises(PermissionDenied):
        services.add_growing_area(
            theirs,
            me,
            name="A",
            code="",
            crop="Vải",
            area_ha="1",
            commune="x",
            latitude="",
            longitude="",
        )
    assert database_snapshot() == before


def test_a_cooperative_manager_runs_member_households_but_members_see_only_their_own(app):
    cooperative = make_farm(kind="cooperative", name="HTX Bưởi Thanh Hồng")
    manager = cooperative.members[0].user
    member_person = make_user(identifier="0912000113", role=Role.BUYER)
    household = services.add_member_household(
        cooperative, manager, name="Hộ bà Mận", commune="xã Hà Nam", contact_phone="0912 000 113"
    )
    other = services.add_member_household(
        cooperative, manager, name="Hộ ông Lực", commune="xã Hà Nam", contact_phone=None
    )

    (invitation,) = services.pending_invitations(member_person)
    services.accept_invitation(invitation, member_person)

    assert household.cooperative is cooperative and household.province_code == "31"
    assert member_person.role == "farmer" and can_manage(member_person, household)
    assert not can_manage(member_person, other)
    assert not can_manage(member_person, cooperative)
    assert {f.name for f in managed_farms(manager)} == {
        "HTX Bưởi Thanh Hồng",
        "Hộ bà Mận",
        "Hộ ông Lực",
    }
    assert can_manage(manager, other)


def test_a_household_cannot_have_member_households(app):
    household = make_farm()
    before = database_snapshot()
    with pytest.raises(DomainError):
        services.add_member_household(
            household, household.members[0].user, name="X", commune="x", contact_phone=None
        )
    assert database_snapshot() == before


@pytest.mark.parametrize("code", ["VN-HPTH-0123", "vn-hpth-0123", " VN-TNTC-0031 ", "VN-BG-01-02"])
def test_planting_area_codes_are_checked_and_upper_cased(app, code):
    area = make_growing_area(make_farm(), code=code)
    assert area.code == code.strip().upper()


@pytest.mark.parametrize(
    "code", ["HPTH-0123", "VN_HPTH_0123", "VN-", "VN-HPTH-0123-1-2-3", "VN-ĐT-01"]
)
def test_malformed_planting_area_codes_are_refused(app, code):
    farm = make_farm()
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        make_growing_area(farm, code=code)
    assert refused.value.field == "code"
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"area_ha": "0"}, "area_ha"),
        ({"area_ha": "một"}, "area_ha"),
        ({"latitude": "21.0", "longitude": ""}, "latitude"),
        ({"latitude": "48.8", "longitude": "2.3"}, "latitude"),
    ],
)
def test_bad_growing_area_values_are_refused(app, changes, field):
    farm = make_farm()
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        make_growing_area(farm, **changes)
    assert refused.value.field == field
    assert database_snapshot() == before


def test_area_accepts_a_comma_as_decimal_separator(app):
    assert str(make_growing_area(make_farm(), area_ha="1,25").area_ha) == "1.25"


def test_a_certificate_waits_for_an_operator_and_then_counts_until_it_expires(app):
    farm = make_farm()
    certification = make_certification(farm)
    today = local_today()
    assert not certification.is_valid_on(today)

    services.verify_certification(certification, make_user(role=Role.OPERATOR))

    assert certification.is_valid_on(today)
    assert not certification.is_valid_on(certification.expires_on + timedelta(days=1))
    assert certification.is_expired_on(certification.expires_on + timedelta(days=1))


def test_only_operators_verify(app):
    farm = make_farm()
    certification = make_certification(farm)
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.verify_certification(certification, farm.members[0].user)
    with pytest.raises(PermissionDenied):
        services.verify_farm(farm, farm.members[0].user)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expires_on": date(2025, 1, 1)}, "expires_on"),
        ({"issued_on": date(2099, 1, 1), "expires_on": date(2100, 1, 1)}, "issued_on"),
        ({"number": ""}, "number"),
        ({"scheme": "halal-ish"}, "scheme"),
        ({"scheme": "other", "other_scheme": ""}, "other_scheme"),
    ],
)
def test_bad_certificates_are_refused(app, changes, field):
    farm = make_farm()
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        make_certification(farm, **changes)
    assert refused.value.field == field
    assert database_snapshot() == before


def test_bank_account_is_normalised_as_banks_print_it(app):
    farm = make_farm()
    account = services.set_bank_account(
        farm,
        farm.members[0].user,
        bank_bin="970436",
        account_number="0011 0023 45678",
        holder_name="Nguyễn Văn Thành",
    )
    assert (account.bank_bin, account.account_number, account.holder_name) == (
        "970436",
        "0011002345678",
        "NGUYEN VAN THANH",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bank_bin": "123456"}, "bank_bin"),
        ({"account_number": "12"}, "account_number"),
        ({"account_number": "12-34-56"}, "account_number"),
        ({"holder_name": ""}, "holder_name"),
    ],
)
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_bad_bank_accounts_are_refused(app, changes, field, existing):
    # Given a farm with no account yet, or with one it is changing
    farm = make_farm()
    fields = {"bank_bin": "970416", "account_number": "257678859", "holder_name": "Tran Thi Hoa"}
    if existing:
        services.set_bank_account(
            farm, farm.members[0].user, **{**fields, "bank_bin": "970436", "holder_name": "Hoa"}
        )
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        services.set_bank_account(farm, farm.members[0].user, **{**fields, **changes})
    assert refused.value.field == field
    assert database_snapshot() == before


def test_suspension_is_recorded_with_who_and_why_and_can_be_lifted(app):
    farm = make_farm()
    operator = make_user(role=Role.OPERATOR)
    services.suspend_farm(farm, operator, "Hồ sơ giả mạo")
    assert farm.is_suspended and farm.suspended_by_id == operator.id
    services.reinstate_farm(farm, operator)
    assert not farm.is_suspended
