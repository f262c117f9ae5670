"""The carriers Vietnamese farms hand their boxes to, and each one's public tracking page.

An order keeps the carrier's code (`Order.carrier_code`) and the name shown to people
(`Order.carrier`): the carrier's own name, or what the farm typed for "other" (a coach
company, the farm's own motorbike). The buyer's order page links the tracking number to the
carrier's page; a carrier whose page takes no number in its address is linked as it is, and
the buyer types the number shown beside the link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.validation import clean_text

#: The code of the carrier that is none of the listed ones.
OTHER = "other"
#: Longest tracking number kept (GHTK's are the longest seen, about 30 characters).
TRACKING_NUMBER_MAX = 40
#: Letters, digits and the separators carriers print (GHTK: "S1234.BO.MN4.A1.5678").
_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


@dataclass(frozen=True)
class Carrier:
    code: str
    #: The brand as it is written in Vietnam (not translated).
    name: str
    #: The public tracking page; "{number}" stands for the URL-encoded tracking number.
    tracking_page: str | None

    @property
    def takes_number(self) -> bool:
        """Whether the page opens on the parcel itself (else the buyer types the number)."""
        return bool(self.tracking_page and "{number}" in self.tracking_page)


CARRIERS: tuple[Carrier, ...] = (
    Carrier("ghn", "Giao Hàng Nhanh (GHN)", "https://donhang.ghn.vn/?order_code={number}"),
    Carrier("ghtk", "Giao Hàng Tiết Kiệm (GHTK)", "https://i.ghtk.vn/{number}"),
    # Viettel Post's and VNPost's pages read the number from their own form.
    Carrier("viettel_post", "Viettel Post", "https://viettelpost.com.vn/tra-cuu-hanh-trinh-don/"),
    Carrier(
        "vnpost", "VNPost (Bưu điện Việt Nam)", "https://vnpost.vn/tra-cuu-hanh-trinh/buu-pham"
    ),
    Carrier(
        "jt_express",
        "J&T Express",
        "https://jtexpress.vn/vi/tracking?type=track&billcode={number}",
    ),
    Carrier("ninja_van", "Ninja Van", "https://www.ninjavan.co/vi-vn/tracking?id={number}"),
    Carrier("best_express", "Best Express", "https://best-inc.vn/track?bills={number}"),
)

_BY_CODE = {carrier.code: carrier for carrier in CARRIERS}


def carrier_choices() -> list[tuple[str, object]]:
    """The ship form's list: every carrier, then "other"."""
    return [(c.code, c.name) for c in CARRIERS] + [(OTHER, _l("Other (write its name)"))]


def by_code(code: str | None) -> Carrier | None:
    return _BY_CODE.get(code or "")


def clean_tracking_number(raw: str | None) -> str | None:
    """The number as the carrier prints it, without the spaces a copy from an SMS brings;
    empty is allowed (a farm's own delivery has none)."""
    number = "".join((raw or "").split())
    if not number:
        return None
    if len(number) > TRACKING_NUMBER_MAX or not _TRACKING_NUMBER.fullmatch(number):
        raise DomainError(
            _l(
                "A tracking number has up to %(n)d letters and digits (with . - / _ between "
                "them), as the carrier printed it.",
                n=TRACKING_NUMBER_MAX,
            ),
            field="tracking_number",
        )
    return number


def carrier_for_shipping(code: str | None, other_name: str | None) -> tuple[str, str]:
    """The (code, name) an order keeps: a listed carrier by its own name, or "other" with
    the name the farm wrote."""
    if code == OTHER:
        return OTHER, clean_text(other_name, "carrier_name", 80, _l("the carrier's name"))
    carrier = by_code(code)
    if carrier is None:
        raise DomainError(_l("Choose the carrier from the list."), field="carrier")
    return carrier.code, carrier.name


@dataclass(frozen=True)
class Tracking:
    url: str
    #: True when the page opens on this parcel; else the buyer types the number there.
    opens_parcel: bool


def tracking(code: str | None, number: str | None) -> Tracking | None:
    """The carrier's public page for this parcel, or its tracking page; None for "other"."""
    carrier = by_code(code)
    if carrier is None or not carrier.tracking_page:
        return None
    if carrier.takes_number and number:
        return Tracking(carrier.tracking_page.replace("{number}", quote(number, safe="")), True)
    # Without a number a deep link would open on nothing: the site's own tracking form.
    return Tracking(carrier.tracking_page.split("?")[0].replace("{number}", ""), False)


def order_tracking(order) -> Tracking | None:
    """The tracking link the buyer's order page (and messages) show for a shipped order."""
    return tracking(order.carrier_code, order.tracking_number)
