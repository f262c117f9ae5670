"""Guest orders join an account once it proves the phone number or e-mail address they were
placed with (the accounts' contact-verified hook, registered in orders.init_app)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import ngettext
from sqlalchemy import func, update

from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from orders.models import Checkout

#: How far back guest orders join: a mobile number left unused for months goes to a new
#: subscriber, who must not receive the previous one's orders (and addresses).
CLAIM_WINDOW = timedelta(days=90)


def attach_guest_checkouts(user: User, kind: str, value: str) -> str | None:
    """Give the account the guest checkouts placed with its proven phone (E.164) or e-mail
    (any letter case). Only checkouts without a buyer move (compare-and-set on buyer_id), and
    only for an identifier the account holds and has proven, and only those of the last
    CLAIM_WINDOW."""
    if kind == "phone" and user.phone == value and user.phone_verified_at is not None:
        placed_with = Checkout.contact_phone == value
    elif kind == "email" and user.email == value and user.email_verified_at is not None:
        placed_with = func.lower(Checkout.contact_email) == value.lower()
    else:
        return None
    attached = db.session.execute(
        update(Checkout)
        .where(
            Checkout.buyer_id.is_(None),
            placed_with,
            Checkout.created_at >= utcnow() - CLAIM_WINDOW,
        )
        .values(buyer_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not attached:
        return None
    return ngettext(
        "%(num)d order you placed without logging in is now in your orders.",
        "%(num)d orders you placed without logging in are now in your orders.",
        attached,
    )
