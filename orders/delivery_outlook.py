"""What a buyer is told about delivery before ordering: the province it goes to, and for a
farm the fee and the usual delivery time there (product pages and the cart).

The province is the one the buyer picks in a chooser (the cart's or a product page's, kept
in the session for the next pages), else the signed-in buyer's default address, else the
one picked before. Product pages reach
this through the `delivery_outlook` template global that orders.init_app registers: products
sit below orders and never import it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from flask import render_template, request, session
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.extensions import db
from app.geo import province_by_code
from app.http_cache import varies_by_visitor
from app.web import signed_in_user
from orders.delivery import zone_for
from orders.models import DeliverySettings, DeliveryZone

#: The province the buyer chose in a chooser, kept for the next pages and the checkout.
SESSION_KEY = "delivery_province"


def delivery_province(session: MutableMapping, buyer: User | None, asked: str | None) -> str | None:
    """The province to quote for: the one asked for now (remembered for the next pages),
    else the signed-in buyer's default address, else the one chosen before; None when
    nothing says."""
    if province_by_code(asked):
        if session.get(SESSION_KEY) != asked:
            session[SESSION_KEY] = asked
        return asked
    address = buyer.default_address if buyer is not None else None
    if address is not None:
        return address.province_code
    remembered = session.get(SESSION_KEY)
    return remembered if province_by_code(remembered) else None


@dataclass(frozen=True)
class Outlook:
    """A farm's delivery to one province, as a product page states it."""

    province_code: str | None
    #: The zone that covers the province (its fee and days); None when the farm does not
    #: deliver there.
    zone: DeliveryZone | None
    free_from_vnd: int | None
    pickup_address: str | None

    @property
    def province_name(self) -> str:
        province = province_by_code(self.province_code)
        return province.display_name if province else ""


def farm_outlook(farm_id: int, province_code: str | None) -> Outlook:
    settings = db.session.scalar(
        select(DeliverySettings)
        .where(DeliverySettings.farm_id == farm_id)
        .options(selectinload(DeliverySettings.zones))
    )
    zone = zone_for(settings, province_code) if settings and province_code else None
    return Outlook(
        province_code=province_code,
        zone=zone,
        free_from_vnd=settings.free_delivery_from_vnd if settings else None,
        pickup_address=settings.pickup_address if settings and settings.pickup_enabled else None,
    )


def delivery_outlook(farm_id: int) -> Markup:
    """The product page's delivery block: fee and days to the buyer's province, or a
    province chooser (a plain GET form) when the page does not know it yet."""
    asked = request.args.get("province")
    province = delivery_province(session, signed_in_user(), asked)
    if province and not province_by_code(asked):
        # Chosen earlier, not named in the address: this page is this visitor's alone.
        varies_by_visitor()
    return Markup(
        render_template(
            "orders/_delivery_outlook.html",
            outlook=farm_outlook(farm_id, province),
            action=request.path,
        )
    )


def delivery_days(zone: DeliveryZone) -> str:
    """ "2–4 days", "1 day", "the same day": how long a box usually takes to the zone."""
    if zone.max_days == 0:
        return _("the same day")
    if zone.min_days == zone.max_days:
        return ngettext("%(num)d day", "%(num)d days", zone.max_days)
    return _("%(min)d–%(max)d days", min=zone.min_days, max=zone.max_days)
