"""Who gives an operator a scope: a country-wide operator (on /admin/operators) or the
`nongsan create-admin --province` command; a province operator widens nothing, and every
change is kept. Platform-wide pages (the outbox, job failures) are country-wide only."""

import pytest
from sqlalchemy import select

from app.auth import services
from app.auth.models import OperatorScopeChange, User
from app.auth.operator_scope import change_scope, read_scope, record_scope
from app.auth.roles import Role
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from tests.app.factories import log_in, make_outbound_message, make_user
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text

HAI_PHONG, HA_NOI = "31", "01"


@pytest.fixture
def operators(app):
    country = make_user(Role.OPERATOR, identifier="0912000100", full_name="Ban điều hành")
    province = make_user(Role.OPERATOR, identifier="0912000131", full_name="Sở Công Thương HP")
    record_scope(province, HAI_PHONG, country)
    buyer = make_user(Role.BUYER, identifier="0912000200", full_name="Chị Lan")
    db.session.commit()
    return {"country": country, "province": province, "buyer": buyer}


def _changes(user: User) -> list[tuple]:
    return [
        (change.province_code, change.changed_by_id)
        for change in db.session.scalars(
            select(OperatorScopeChange)
            .where(OperatorScopeChange.operator_id == user.id)
            .order_by(OperatorScopeChange.id)
        )
    ]


# The services ------------------------------------------------------------------------------


def test_a_country_wide_operator_promotes_an_account_to_a_province(app, operators):
    country, buyer = operators["country"], operators["buyer"]
    services.promote_to_operator("0912 000 200", country, HA_NOI)
    assert (buyer.role, buyer.operator_province_code) == ("operator", HA_NOI)
    assert _changes(buyer) == [(HA_NOI, country.id)]


def test_a_country_wide_operator_changes_and_widens_a_scope_and_each_change_is_kept(app, operators):
    country, province = operators["country"], operators["province"]
    change_scope(province, country, HA_NOI)
    change_scope(province, country, None)
    assert province.operator_province_code is None
    assert _changes(province) == [(HAI_PHONG, country.id), (HA_NOI, country.id), (None, country.id)]


@pytest.mark.parametrize(
    "attempt",
    [
        lambda o: change_scope(o["province"], o["province"], None),  # widen their own
        lambda o: change_scope(o["country"], o["province"], HAI_PHONG),  # narrow another's
        lambda o: services.promote_to_operator("0912000200", o["province"], None),
        lambda o: services.promote_to_operator("0912000200", o["province"], HAI_PHONG),
    ],
    ids=["widen-own", "change-another", "promote-country-wide", "promote-same-province"],
)
def test_a_province_operator_sets_no_scope(app, operators, attempt):
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        attempt(operators)
    assert database_snapshot() == before


def test_only_operators_have_a_scope(app, operators):
    before = database_snapshot()
    with pytest.raises(DomainError):
        change_scope(operators["buyer"], operators["country"], HAI_PHONG)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("typed", "code"),
    [("", None), ("31", "31"), ("Hải Phòng", "31"), ("tinh hai duong", "31"), ("Hà Nội", "01")],
)
def test_a_scope_is_read_from_a_code_or_a_name_old_or_new(typed, code):
    assert read_scope(typed) == code


def test_an_unknown_province_is_explained(app):
    with pytest.raises(DomainError, match="Atlantis"):
        read_scope("Atlantis")


# The operators' page -----------------------------------------------------------------------


def test_the_operators_page_promotes_and_changes_a_scope(client, operators):
    log_in(client, "0912000100")
    response = client.post_form("/admin/operators", {"identifier": "0912000200", "scope": HA_NOI})
    assert response.status_code == 302
    buyer = operators["buyer"]
    db.session.expire_all()
    assert (buyer.role, buyer.operator_province_code) == ("operator", HA_NOI)
    response = client.post_form(f"/admin/operators/{buyer.id}/scope", {f"op{buyer.id}-scope": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert buyer.operator_province_code is None
    html = client.get("/admin/operators").get_data(as_text=True)
    assert f'data-testid="operator-{buyer.id}-scope">Cả nước<' in html
    history = html.split('data-testid="scope-history"')[1].split("</ul>")[0]
    assert "Chị Lan</strong> → Cả nước" in history and "do Ban điều hành đổi" in history


def test_the_operators_page_explains_an_unknown_account(client, operators):
    log_in(client, "0912000100")
    before = database_snapshot()
    response = client.post_form("/admin/operators", {"identifier": "0999999999", "scope": ""})
    assert response.status_code == 422
    assert "Không có tài khoản nào dùng số điện thoại hoặc email này." in page_text(response)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("address", "data"),
    [
        ("/admin/operators", {"identifier": "0912000200", "scope": ""}),
        ("/admin/operators/{province}/scope", {"op{province}-scope": ""}),
        ("/admin/operators/{country}/scope", {"op{country}-scope": HAI_PHONG}),
    ],
)
def test_a_province_operator_is_refused_the_operators_page(client, operators, address, data):
    ids = {"province": operators["province"].id, "country": operators["country"].id}
    log_in(client, "0912000131")
    assert client.get("/admin/operators").status_code == 403
    before = database_snapshot()
    response = client.post_form(
        address.format(**ids), {key.format(**ids): value for key, value in data.items()}
    )
    assert response.status_code == 403
    assert database_snapshot() == before


# The command line --------------------------------------------------------------------------


def _create_admin(app, *extra):
    return app.test_cli_runner().invoke(
        args=["create-admin", "--name", "Sở Công Thương", "--login", "0912000999"]
        + ["--password", "mat-khau-an-toan", *extra]
    )


def test_create_admin_makes_a_province_operator(app):
    result = _create_admin(app, "--province", "Hải Dương")
    assert result.exit_code == 0, result.output
    assert "TP. Hải Phòng" in result.output
    user = services.find_user_by_identifier("0912000999")
    assert (user.role, user.operator_province_code) == ("operator", HAI_PHONG)
    assert _changes(user) == [(HAI_PHONG, None)]


def test_create_admin_without_a_province_is_country_wide(app):
    result = _create_admin(app)
    assert result.exit_code == 0 and "Cả nước" in result.output
    assert services.find_user_by_identifier("0912000999").operator_province_code is None


def test_create_admin_refuses_an_unknown_province(app):
    result = _create_admin(app, "--province", "Atlantis")
    assert result.exit_code != 0 and "Atlantis" in result.output
    assert services.find_user_by_identifier("0912000999") is None


# Platform-wide pages -----------------------------------------------------------------------


def test_the_outbox_is_for_country_wide_operators(client, operators):
    message = make_outbound_message(status="failed", attempts=5)
    db.session.commit()
    log_in(client, "0912000131")
    response = client.get("/admin/farms")
    assert 'href="/admin/operators"' not in response.get_data(as_text=True)
    assert "Hộp thư đi" not in page_text(response)
    assert "Phạm vi của bạn: TP. Hải Phòng" in page_text(response)
    refused = client.get("/admin/outbox")
    assert refused.status_code == 403
    assert "Chỉ quản trị viên phụ trách cả nước mới làm được việc này." in page_text(refused)
    assert client.get(f"/admin/outbox/{message.id}").status_code == 403
    before = database_snapshot()
    assert client.post_form(f"/admin/outbox/{message.id}/retry").status_code == 403
    assert database_snapshot() == before


def test_a_country_wide_operator_has_the_outbox_and_the_operators_page(app, operators):
    client = app.test_client()
    log_in(client, "0912000100")
    assert client.get("/admin/outbox").status_code == 200
    response = client.get("/admin/farms")
    assert 'href="/admin/operators"' in response.get_data(as_text=True)
    nav = page_text(response)
    assert "Hộp thư đi" in nav and "Phạm vi của bạn: Cả nước" in nav
