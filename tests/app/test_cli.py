"""The operators' commands: seed-demo and create-admin."""

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.services import authenticate
from app.extensions import db


def _users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_seed_demo_loads_the_demo_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "nongsan-demo" in first.output and "8 new account(s)" in first.output
    count = _users()

    second = runner.invoke(args=["seed-demo"])
    assert "0 new account(s), 8 already there" in second.output
    assert _users() == count == 8


def test_seed_demo_covers_the_demo_regions(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    farmers = db.session.scalars(
        select(User).where(User.role.in_(["farmer", "coop_manager"]))
    ).all()
    provinces = sorted(u.default_address.province_name for u in farmers)
    assert provinces == ["TP. Hải Phòng"] * 3 + ["Thái Nguyên", "Tuyên Quang"]
    assert authenticate("admin@nongsan.demo", "nongsan-demo").role == "operator"


def test_seed_demo_opens_the_demo_farms_with_published_products(app):
    from farms.models import Farm
    from products.models import Product

    app.test_cli_runner().invoke(args=["seed-demo"])
    app.test_cli_runner().invoke(args=["seed-demo"])
    farms = {f.slug: f for f in db.session.scalars(select(Farm))}
    assert {"vuon-vai-thanh-ha", "htx-buoi-thanh-hong", "htx-che-tan-cuong"} <= set(farms)
    assert farms["htx-buoi-thanh-hong"].member_farms[0].name == "Hộ bà Vũ Thị Mận"
    products = db.session.scalars(select(Product)).all()
    assert len(products) == 6 and all(p.status == "published" and p.photos for p in products)
    stars = sorted(p.ocop.stars for p in products if p.ocop and p.ocop.verified_at)
    assert stars == [3, 4, 5]


def test_every_demo_farm_that_sells_can_take_an_order(app):
    from farms.readiness import missing_to_sell
    from products.models import Product

    app.test_cli_runner().invoke(args=["seed-demo"])

    selling = {p.farm for p in db.session.scalars(select(Product))}
    assert len(selling) == 5 and all(missing_to_sell(farm) == [] for farm in selling)


@pytest.mark.parametrize("day", ["2027-04-15", "2027-12-01"])
def test_seed_demo_places_orders_in_every_state_once_whatever_the_season(app, day):
    from freezegun import freeze_time

    from orders.models import Order

    with freeze_time(day):
        first = app.test_cli_runner().invoke(args=["seed-demo"])
        app.test_cli_runner().invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    orders = db.session.scalars(select(Order)).all()
    assert {o.status for o in orders} == {
        "awaiting_payment",
        "confirmed",
        "packed",
        "shipped",
        "completed",
        "cancelled",
        "refunded",
    }
    assert {o.payment_method for o in orders} == {"bank_transfer", "cod"}
    assert len(orders) == 7


def test_seed_demo_if_empty_leaves_a_real_database_alone(app):
    runner = app.test_cli_runner()
    runner.invoke(
        args=[
            "create-admin",
            "--name",
            "An",
            "--login",
            "an@example.vn",
            "--password",
            "mat-khau-an-toan",
        ]
    )
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output and _users() == 1


def test_seed_demo_refuses_production(app):
    app.config["NONGSAN_ENV"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["NONGSAN_ENV"] = "development"
    assert result.exit_code != 0 and _users() == 0


def test_create_admin_makes_an_operator(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "--name",
            "Phòng Kinh tế",
            "--login",
            "0912000999",
            "--password",
            "mat-khau-an-toan",
        ]
    )
    assert result.exit_code == 0, result.output
    assert authenticate("0912 000 999", "mat-khau-an-toan").role == "operator"


def test_create_admin_explains_a_bad_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--name", "An", "--login", "an@example.vn", "--password", "short"]
    )
    assert result.exit_code != 0 and "Mật khẩu phải có ít nhất 8 ký tự." in result.output
    assert _users() == 0


def test_seed_demo_gives_every_product_batches_with_histories_labels_and_one_recall(app):
    from sqlalchemy import func, select

    from products.models import Product
    from traceability.models import Batch, BatchAllocation, Label
    from traceability.services import verify_batch

    app.test_cli_runner().invoke(args=["seed-demo"])
    app.test_cli_runner().invoke(args=["seed-demo"])

    batches = db.session.scalars(select(Batch)).all()
    products = db.session.scalars(select(Product)).all()
    assert {b.product_id for b in batches} == {p.id for p in products}
    assert all(b.event_count >= 4 and verify_batch(b).ok for b in batches)
    assert all(b.harvested_on is not None for b in batches)
    assert db.session.scalar(select(func.count(Label.id))) == 24 * len(batches)
    assert [b.code for b in batches if b.is_recalled] == [
        b.code for b in batches if b.code.startswith("CS")
    ]
    assert db.session.scalar(select(func.count(BatchAllocation.id))) >= 1


def test_seed_demo_opens_one_group_offer_once(app):
    from orders.group_buying.models import GroupOffer

    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])
    runner.invoke(args=["seed-demo"])
    offers = db.session.scalars(select(GroupOffer)).all()
    assert [(o.status, o.min_count) for o in offers] == [("open", 5)]
    assert offers[0].group_price_vnd < offers[0].variant.price_vnd
