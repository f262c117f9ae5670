"""Vouchers as a farm or an operator creates them, and checkouts that use one."""

from __future__ import annotations

from datetime import timedelta

from app.auth.roles import Role
from app.clock import local_today
from orders.vouchers.services import create_voucher
from tests.app.factories import make_user
from tests.orders.factories import make_checkout


def make_voucher(farm=None, *, actor=None, **overrides):
    """A voucher running from today for a week: 10% off, 10 uses, one per buyer."""
    if actor is None:
        actor = farm.members[0].user if farm is not None else make_user(Role.OPERATOR)
    today = local_today()
    fields = {
        "code": "GIAM10",
        "kind": "percent",
        "value": "10",
        "max_discount_vnd": "",
        "min_spend_vnd": "",
        "starts_on": today,
        "ends_on": today + timedelta(days=7),
        "total_uses": "10",
        "uses_per_buyer": "1",
        "first_order_only": False,
        "product_ids": [],
    }
    fields.update(overrides)
    return create_voucher(actor, farm, **fields)


def checkout_with(variants, code, *, buyer, quantity=1, payment_method="bank_transfer", **kw):
    """A checkout of the variants that uses the voucher `code`."""
    return make_checkout(
        variants, quantity, buyer=buyer, payment_method=payment_method, voucher_code=code, **kw
    )
