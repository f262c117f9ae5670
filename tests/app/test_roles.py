"""Who may do what is decided in one place and enforced on the server."""

import pytest

from app.auth.roles import Role, ensure_role, has_role
from app.errors import PermissionDenied
from tests.app.factories import log_in, make_user


@pytest.mark.parametrize(
    ("role", "may_act_as"),
    [
        (Role.BUYER, {Role.BUYER}),
        (Role.FARMER, {Role.BUYER, Role.FARMER}),
        (Role.COOP_MANAGER, {Role.BUYER, Role.FARMER, Role.COOP_MANAGER}),
        (Role.OPERATOR, set(Role)),
    ],
)
def test_each_role_acts_as_exactly_what_it_implies(app, role, may_act_as):
    user = make_user(role=role)
    assert {r for r in Role if has_role(user, r)} == may_act_as


def test_a_disabled_account_has_no_role(app):
    user = make_user(role=Role.OPERATOR, active=False)
    assert not has_role(user, Role.BUYER)


def test_services_refuse_a_missing_role(app):
    with pytest.raises(PermissionDenied):
        ensure_role(make_user(role=Role.BUYER), Role.FARMER)
    ensure_role(make_user(role=Role.COOP_MANAGER), Role.FARMER)


def test_role_required_views_answer_403_or_ask_to_log_in(app):
    # /_probe/operators-only is a test-only page guarded by @role_required(Role.OPERATOR).
    anonymous = app.test_client()
    assert anonymous.get("/_probe/operators-only").status_code == 302

    buyer_client = app.test_client()
    make_user(identifier="0912000101", role=Role.BUYER)
    log_in(buyer_client, "0912000101")
    response = buyer_client.get("/_probe/operators-only")
    assert response.status_code == 403
    assert "Tài khoản của bạn không thể làm việc này." in response.get_data(as_text=True)

    operator_client = app.test_client()
    make_user(identifier="0912000102", role=Role.OPERATOR)
    log_in(operator_client, "0912000102")
    assert operator_client.get("/_probe/operators-only").data == b"ok"
