"""What the domains add to app/ goes through the hooks their init_app registers: the guest's
cart on log-in and sign-up (orders), the invitations notice on the profile (farms), the home
page's sections (products). The factory installs the packages that DOMAIN_PACKAGES names."""

from __future__ import annotations

from flask import Flask

from app.auth import hooks
from app.auth.roles import Role
from app.config import DOMAIN_PACKAGES
from farms import services as farm_services
from tests.app.factories import log_in, make_user
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product
from tests.support.web import page_text

SIGNUP = {
    "full_name": "Nguyễn Thị Mai",
    "identifier": "0912 345 678",
    "password": "vai-thieu-2026",
    "confirm": "vai-thieu-2026",
    "account_type": "buyer",
}


def test_the_profile_tells_of_a_cooperatives_pending_invitation(client):
    # Given a cooperative that added a household whose phone is a buyer's account
    buyer = make_user(Role.BUYER, identifier="0912000113")
    cooperative = make_farm(kind="cooperative", name="HTX Bưởi Thanh Hồng")
    farm_services.add_member_household(
        cooperative,
        cooperative.members[0].user,
        name="Hộ bà Mận",
        commune="xã Hà Nam",
        contact_phone="0912 000 113",
    )
    log_in(client, "0912000113")

    # When the buyer opens the profile
    page = client.get("/profile")

    # Then it says an invitation waits, with a link to answer it
    assert "Một hợp tác xã mời bạn quản lý một hộ thành viên" in page_text(page)
    assert '<a href="/dashboard">Xem lời mời</a>' in page.get_data(as_text=True)
    assert buyer.role == "buyer"


def test_the_profile_has_no_invitation_notice_without_an_invitation(client):
    make_user(Role.BUYER, identifier="0912000113")
    log_in(client, "0912000113")

    assert "Xem lời mời" not in page_text(client.get("/profile"))


def test_a_guest_cart_joins_the_new_account_on_sign_up(client):
    # Given a guest with a box in the cart
    product = make_product(deliver_everywhere(make_farm()), name="Vải thiều Thanh Hà")
    client.post_form("/cart/add", {"variant_id": product.variants[0].id, "quantity": "2"})

    # When the guest signs up
    client.post_form("/signup", SIGNUP)

    # Then the new account's cart holds the box, on another device too
    other_device = client.application.test_client()
    log_in(other_device, "0912345678", password=SIGNUP["password"])
    assert "Vải thiều Thanh Hà" in page_text(other_device.get("/cart"))


def test_log_in_hooks_run_in_the_order_they_were_registered():
    app, calls = Flask(__name__), []
    hooks.on_login(app, lambda session, user: calls.append(("first", user)))
    hooks.on_login(app, lambda session, user: calls.append(("second", user)))

    with app.app_context():
        hooks.session_started({}, "user")

    assert calls == [("first", "user"), ("second", "user")]


def test_a_notice_provider_may_have_nothing_to_say():
    app = Flask(__name__)
    notice = hooks.ProfileNotice("Text", "Link", "/somewhere")
    hooks.on_profile(app, lambda user: None)
    hooks.on_profile(app, lambda user: notice)

    with app.app_context():
        assert hooks.profile_notices("user") == [notice]


def test_the_factory_installs_every_package_by_default(app):
    commands = set(app.cli.list_commands(None))
    blueprints = set(app.blueprints)

    assert app.config["DOMAIN_PACKAGES"] == DOMAIN_PACKAGES
    assert {"create-admin", "expire-orders", "trace-verify", "labels", "seed-demo"} <= commands
    assert {"farms", "products", "orders", "payouts", "traceability"} <= blueprints


def test_a_package_left_out_of_the_config_is_not_installed(tmp_path):
    domains = tuple(name for name in DOMAIN_PACKAGES if name != "demo")

    app = make_test_app("sqlite://", str(tmp_path), DOMAIN_PACKAGES=domains)

    assert "seed-demo" not in app.cli.list_commands(None)
    assert "expire-orders" in app.cli.list_commands(None)
