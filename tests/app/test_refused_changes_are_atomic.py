"""An account service that refuses leaves the account as it was, on its own: nothing
half-written in the session that another caller (the create-admin command) could commit.
The refusal is caught without a rollback; the snapshot flushes the session first."""

import pytest

from app.auth import services
from app.auth.roles import Role
from app.errors import DomainError
from tests.app.factories import make_user
from tests.support.snapshots import database_snapshot


def _account(user) -> tuple:
    return (user.full_name, user.phone, user.email, user.preferred_language, user.role)


def test_a_profile_change_with_an_unknown_language_changes_nothing(app):
    # Given an account with known details
    user = make_user(full_name="Lê Minh Anh", identifier="0912000111")
    old = _account(user)
    before = database_snapshot()

    # When its owner changes name, phone and e-mail with a language that is refused
    with pytest.raises(DomainError) as refused:
        services.update_profile(
            user,
            user,
            full_name="Lê Anh",
            phone="0912000222",
            email="anh@example.vn",
            language="fr",
        )

    # Then neither the account nor the database changed
    assert refused.value.field == "preferred_language"
    assert _account(user) == old
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("full_name", "password", "field"),
    [("Quản trị", "short", "password"), ("", "mat-khau-moi-an-toan", "full_name")],
)
def test_a_refused_operator_promotion_leaves_the_account_as_it_was(app, full_name, password, field):
    # Given a buyer's account
    user = make_user(role=Role.BUYER, full_name="Lê Minh Anh", identifier="0912000333")
    old = (*_account(user), user.password_hash, user.session_token)
    before = database_snapshot()

    # When the create-admin command promotes it with a refused name or password
    with pytest.raises(DomainError) as refused:
        services.create_operator(full_name, "0912000333", password)

    # Then it is still a buyer, with its name and password
    assert refused.value.field == field
    assert (*_account(user), user.password_hash, user.session_token) == old
    assert database_snapshot() == before
