"""Where an account starts: a farmer or cooperative manager on the farm's dashboard (through
the on_landing hook farms registers), everyone else on the home page; a safe `next` wins."""

from __future__ import annotations

from flask import Flask

from app.auth import hooks
from app.auth.roles import Role
from farms.services import add_member_household
from tests.app.factories import PASSWORD, log_in, make_user
from tests.farms.factories import make_farm

SELLER_SIGNUP = {
    "full_name": "Nguyễn Văn Thành",
    "identifier": "0912 345 679",
    "password": "vai-thieu-2026",
    "confirm": "vai-thieu-2026",
    "account_type": "farmer",
}


def test_a_farmer_lands_on_the_farm_dashboard_after_log_in(app, client):
    farmer = make_user(role=Role.FARMER, identifier="0912000401")
    farm = make_farm(owner=farmer)

    response = log_in(client, "0912000401")

    assert response.status_code == 302
    assert response.location == f"/dashboard/farms/{farm.id}"


def test_a_cooperative_manager_lands_on_the_cooperative_not_a_household(app, client):
    manager = make_user(role=Role.COOP_MANAGER, identifier="0912000402")
    cooperative = make_farm(owner=manager, kind="cooperative")
    add_member_household(
        cooperative, manager, name="Hộ ông Bảy", commune="xã Hà Nam", contact_phone=""
    )

    response = log_in(client, "0912000402")

    assert response.location == f"/dashboard/farms/{cooperative.id}"


def test_a_person_running_two_farms_lands_on_the_list_of_farms(app, client):
    farmer = make_user(role=Role.FARMER, identifier="0912000403")
    make_farm(owner=farmer, name="Vườn vải")
    make_farm(owner=farmer, name="Vườn bưởi")

    assert log_in(client, "0912000403").location == "/dashboard"


def test_an_explicit_safe_next_wins(app, client):
    farmer = make_user(role=Role.FARMER, identifier="0912000404")
    make_farm(owner=farmer)

    response = client.post_form(
        "/login?next=/cart", {"identifier": "0912000404", "password": PASSWORD}
    )

    assert response.location == "/cart"


def test_an_unsafe_next_is_ignored_for_the_farm_dashboard(app, client):
    farmer = make_user(role=Role.FARMER, identifier="0912000405")
    farm = make_farm(owner=farmer)

    response = client.post_form(
        "/login?next=//evil.example/x", {"identifier": "0912000405", "password": PASSWORD}
    )

    assert response.location == f"/dashboard/farms/{farm.id}"


def test_a_buyer_lands_on_the_home_page(app, client):
    make_user(identifier="0912000406")

    assert log_in(client, "0912000406").location == "/"


def test_an_operator_lands_on_the_home_page(app, client):
    make_user(role=Role.OPERATOR, identifier="0912000407")

    assert log_in(client, "0912000407").location == "/"


def test_signing_up_to_sell_lands_on_opening_the_shop(app, client):
    response = client.post_form("/signup", SELLER_SIGNUP)

    assert response.location == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/dashboard/farms/new"' in page


def test_opening_the_shop_lands_on_its_dashboard(app, client):
    client.post_form("/signup", SELLER_SIGNUP)

    response = client.post_form(
        "/dashboard/farms/new",
        {
            "name": "Vườn vải Thành Hà",
            "kind": "household",
            "province_code": "31",
            "commune": "xã Thanh Hà",
        },
    )

    assert response.status_code == 302
    assert response.location.startswith("/dashboard/farms/")
    assert "Vườn vải Thành Hà" in client.get(response.location).get_data(as_text=True)


def test_landing_hooks_answer_in_the_order_they_were_registered():
    app = Flask(__name__)
    hooks.on_landing(app, lambda user: None)
    hooks.on_landing(app, lambda user: f"/first/{user}")
    hooks.on_landing(app, lambda user: "/second")

    with app.app_context():
        assert hooks.landing_url("u") == "/first/u"
