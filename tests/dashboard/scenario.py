"""The demo as the dashboard's tests see it: loaded on 20 March 2027, then a little more
happens on 10 April 2027 (an order delivered and paid in cash, label scans, a farm and its
certificate verified). Every figure of the tests is counted by hand from this story."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from dashboard import services
from dashboard.refresh import refresh_figures
from farms import services as farms
from farms.models import Farm
from orders import services as orders
from orders.models import Order
from traceability.models import Batch, Label
from traceability.scans import record_scan

LOADED = "2027-03-20 03:00:00"  # 10:00 in Vietnam
LATER = "2027-04-10 03:00:00"
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36"
PREVIEW = "facebookexternalhit/1.1"


def admin() -> User:
    return db.session.scalar(select(User).where(User.email == "admin@nongsan.demo"))


def farm(slug: str) -> Farm:
    return db.session.scalar(select(Farm).where(Farm.slug == slug))


def load_demo_story(app) -> None:
    with freeze_time(LOADED):
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    with freeze_time(LATER):
        # The cash-on-delivery order that was packed (tea, 5 bags to Hồ Chí Minh City) leaves,
        # arrives and is paid in cash.
        packed = db.session.scalar(select(Order).where(Order.status == "packed"))
        farmer = packed.farm.members[0].user
        orders.ship_order(packed, farmer, carrier="ghn", tracking_number="GHN0410")
        orders.mark_delivered(packed, farmer)
        orders.record_cash_collected(packed, farmer)
        # A lychee label is scanned twice by a phone and once by a chat's link preview; a
        # serial that was never issued is scanned once.
        lychee = db.session.scalar(
            select(Batch).join(Farm).where(Farm.slug == "vuon-vai-thanh-ha").order_by(Batch.id)
        )
        serial = db.session.scalar(select(Label.serial).where(Label.batch_id == lychee.id))
        record_scan(serial, PHONE, "visitor-1")
        record_scan(serial, PHONE, "visitor-2")
        record_scan(serial, PREVIEW, "preview")
        record_scan("ZZZZZZZZZZZZ", PHONE, "visitor-3")
        # The Hà Giang orange farm and its certificate are verified.
        oranges = farm("vuon-cam-sang-ha-giang")
        farms.verify_farm(oranges, admin())
        farms.verify_certification(oranges.certifications[0], admin())
        db.session.flush()
        assert refresh_figures()
        db.session.commit()


def board_for(operator: User, today: str = "2027-04-10", **args: str) -> services.Dashboard:
    from datetime import date

    day = date.fromisoformat(today)
    filters = services.read_filters(args, operator, day)
    return services.dashboard(operator, filters, day)


def values(board: services.Dashboard) -> dict:
    return {figure.key: figure.current for figure in board.figures}


def previous(board: services.Dashboard) -> dict:
    return {figure.key: figure.previous for figure in board.figures if figure.compared}
