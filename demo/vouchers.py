"""A demo farm voucher (BUOI10 at HTX Bưởi Thanh Hồng), made through the farm's service."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from farms.models import Farm
from orders.vouchers.models import Voucher
from orders.vouchers.services import create_voucher

DEMO_VOUCHER = "BUOI10"
DEMO_VOUCHER_FARM = "htx-buoi-thanh-hong"


def seed_demo_vouchers() -> None:
    """10 % off the farm's pomelos for a month, once per buyer; kept when it is there."""
    farm = db.session.scalar(select(Farm).where(Farm.slug == DEMO_VOUCHER_FARM))
    if farm is None or db.session.scalar(
        select(Voucher.id).where(Voucher.code == DEMO_VOUCHER, Voucher.farm_id == farm.id)
    ):
        return
    today = local_today()
    create_voucher(
        farm.members[0].user,
        farm,
        code=DEMO_VOUCHER,
        kind="percent",
        value="10",
        max_discount_vnd="50.000",
        min_spend_vnd="",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        total_uses="100",
        uses_per_buyer="1",
        first_order_only=False,
    )
