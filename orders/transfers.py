"""What a buyer needs to pay one farm's order by bank transfer, typed or scanned.

One place decides the account, the amount and the message, so the VietQR code, the copyable
details beside it and the saved QR image always agree with each other and with what
`bank_notifications` matches a credit against (the order number in the message, the farm's
own account, the exact total).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from farms.banks import Bank, bank_by_bin
from orders.models import Order
from orders.services import can_still_pay
from orders.states import PaymentMethod
from orders.vietqr import build_payload, transfer_message


@dataclass(frozen=True)
class Transfer:
    """One bank transfer to one farm, for one order."""

    order: Order
    #: None when the stored BIN left the bank list (the code still routes by the BIN).
    bank: Bank | None
    bank_bin: str
    account_number: str
    holder_name: str
    amount_vnd: int
    #: Exactly what the VietQR code carries in its purpose field (62/08).
    message: str
    #: The VietQR text the code encodes.
    payload: str


def transfer_for(order: Order, now: datetime) -> Transfer | None:
    """The transfer that pays `order`, or None when it is not (or no longer) paid that way:
    another method, no bank account on the farm, or cancelled, expired, paid or refunded."""
    account = order.farm.bank_account
    if order.payment_method != PaymentMethod.BANK_TRANSFER or account is None:
        return None
    if not can_still_pay(order, now):
        return None
    message = transfer_message(order.number)
    return Transfer(
        order=order,
        bank=bank_by_bin(account.bank_bin),
        bank_bin=account.bank_bin,
        account_number=account.account_number,
        holder_name=account.holder_name,
        amount_vnd=order.total_vnd,
        message=message,
        payload=build_payload(
            bank_bin=account.bank_bin,
            account_number=account.account_number,
            amount_vnd=order.total_vnd,
            message=message,
        ),
    )


def transfers_for(orders: Iterable[Order], now: datetime) -> list[Transfer]:
    """The transfers still to make for a checkout's orders: one per farm paid by transfer."""
    return [transfer for order in orders if (transfer := transfer_for(order, now))]
