"""VietQR: the NAPAS 247 bank-transfer QR code (EMVCo merchant-presented format) and its images.

Any Vietnamese banking app that scans the code opens a transfer to the farm's account with the
amount and message filled in, so the buyer types nothing and the order's code reaches the farm's
statement. Pure functions: no database, no request.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import qrcode
import qrcode.constants
import qrcode.image.pil
import qrcode.image.svg

from app.geo import fold_accents

#: NAPAS's identifier in the merchant account information template (tag 38).
NAPAS_GUID = "A000000727"
#: NAPAS 247 transfer to an account number (QRIBFTTC would be to a card number).
SERVICE_TO_ACCOUNT = "QRIBFTTA"
#: EMVCo's limit for the purpose of transaction (62/08); longer ones are refused by some banks.
MESSAGE_MAX_LENGTH = 25
#: The standard requires a light margin of at least 4 modules around the code.
QUIET_ZONE_MODULES = 4

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT_NUMBER = re.compile(r"[0-9A-Za-z]{1,19}")
_TAG = re.compile(r"[0-9]{2}")
_MAX_AMOUNT_VND = 10**13 - 1  # field 54 holds at most 13 characters


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, unreflected): the checksum in field 63."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    """One EMVCo field: 2-digit tag, 2-digit length, value (at most 99 characters)."""
    if not _TAG.fullmatch(tag):
        raise ValueError(f"EMVCo tag must be two digits, got {tag!r}")
    if len(value) > 99:
        raise ValueError(f"EMVCo field {tag} is {len(value)} characters long; the limit is 99")
    return f"{tag}{len(value):02d}{value}"


def transfer_message(text: str) -> str:
    """The transfer content banks accept: ASCII letters, digits and single spaces, upper-case,
    at most 25 characters. Accents go (đ → d); other characters are dropped inside a word, so
    "Đơn NS-000123 Vải thiều" gives "DON NS000123 VAI THIEU" and the order code stays one token
    that a bank-notification check can find."""
    words = (fold_accents(word).replace(" ", "") for word in text.split())
    message = " ".join(word for word in words if word).upper()
    return message[:MESSAGE_MAX_LENGTH].rstrip()


def build_payload(
    *,
    bank_bin: str,
    account_number: str,
    amount_vnd: int | None = None,
    message: str | None = None,
) -> str:
    """The VietQR text for a transfer to `account_number` at the bank with NAPAS BIN `bank_bin`.

    With an amount the code is dynamic (one payment; apps fill the amount in); without it the
    code is static and the buyer types the amount. The message is cleaned with
    `transfer_message()` and left out when nothing remains of it.
    """
    if not isinstance(bank_bin, str) or not _BIN.fullmatch(bank_bin):
        raise ValueError(f"bank BIN must be 6 digits, got {bank_bin!r}")
    if not isinstance(account_number, str) or not _ACCOUNT_NUMBER.fullmatch(account_number):
        raise ValueError("account number must be 1 to 19 letters or digits")
    if amount_vnd is not None:
        # bool is an int subclass: True must not become a transfer of 1 đồng.
        if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
            raise ValueError(f"amount must be a whole number of đồng, got {amount_vnd!r}")
        if not 0 < amount_vnd <= _MAX_AMOUNT_VND:
            raise ValueError(f"amount must be between 1 and {_MAX_AMOUNT_VND} đồng")

    beneficiary = tlv("00", bank_bin) + tlv("01", account_number)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    fields = [
        tlv("00", "01"),
        tlv("01", "11" if amount_vnd is None else "12"),
        tlv("38", merchant),
        tlv("53", "704"),  # ISO 4217 numeric code of the đồng
    ]
    if amount_vnd is not None:
        fields.append(tlv("54", str(amount_vnd)))  # VND has no minor unit: no decimals
    fields.append(tlv("58", "VN"))
    cleaned = transfer_message(message) if message is not None else ""
    if cleaned:
        fields.append(tlv("62", tlv("08", cleaned)))
    return _with_crc("".join(fields))


def _with_crc(body: str) -> str:
    # The checksum covers its own tag and length, "6304", as EMVCo specifies.
    body += "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def _qr_code(payload: str, box_size: int = 10) -> qrcode.QRCode:
    # Level M survives a smudged screen or a cracked phone glass, as bank apps' own codes do.
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box_size,
        border=QUIET_ZONE_MODULES,
    )
    qr.add_data(payload)
    return qr


def qr_svg(payload: str, *, label: str) -> str:
    """The payload as an inline `<svg>` element, named `label` for screen readers.

    Vector, so it stays sharp at any size; it has no width or height (the page's CSS sizes it)
    and a white background, so the code and its quiet zone stay readable on a dark page.
    """
    svg = _qr_code(payload).make_image(image_factory=qrcode.image.svg.SvgPathFillImage).get_image()
    for attribute in ("width", "height"):  # the library sets a fixed size in millimetres
        svg.attrib.pop(attribute, None)
    svg.set("role", "img")
    svg.set("aria-label", label)
    for path in svg.iter("path"):
        path.attrib.pop("id", None)  # several codes on one page must not share an id
        path.set("shape-rendering", "crispEdges")  # no hairlines between adjacent modules
    return ET.tostring(svg, encoding="unicode")


def qr_png(payload: str) -> bytes:
    """The payload as a PNG, for a buyer to save and open from the banking app's gallery.

    Black on white with the quiet zone, 10 pixels a module: a few hundred pixels wide, which
    every app's gallery scanner reads, and a few kilobytes to download.
    """
    image = _qr_code(payload).make_image(image_factory=qrcode.image.pil.PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
