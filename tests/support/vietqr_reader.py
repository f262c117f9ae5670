"""Reading a VietQR payload back, as a bank app does: the tests' side of orders/vietqr.py.

The product only writes payloads; these readers check what it wrote against the EMVCo
standard. The checksum is computed here with the standard library (binascii.crc_hqx is
CRC-16/CCITT-FALSE when started at 0xFFFF), independently of the product's own CRC code.
"""

from __future__ import annotations

import binascii
import re

_TWO_DIGITS = re.compile(r"[0-9]{2}")


def parse_payload(payload: str) -> dict[str, str]:
    """The fields of an EMVCo TLV string by tag; also reads a template's value (38, 62).

    Does not check the CRC (see `verify_crc`); raises ValueError when the text is not TLV.
    """
    fields: dict[str, str] = {}
    position = 0
    while position < len(payload):
        tag, length = payload[position : position + 2], payload[position + 2 : position + 4]
        if not (_TWO_DIGITS.fullmatch(tag) and _TWO_DIGITS.fullmatch(length)):
            raise ValueError(f"malformed EMVCo field at position {position}")
        start = position + 4
        end = start + int(length)
        if end > len(payload):
            raise ValueError(f"EMVCo field {tag} runs past the end of the payload")
        if tag in fields:
            raise ValueError(f"EMVCo field {tag} appears twice")
        fields[tag] = payload[start:end]
        position = end
    return fields


def verify_crc(payload: str) -> bool:
    """True when the payload ends with field 63 holding the right CRC of everything before it."""
    body, checksum = payload[:-4], payload[-4:]
    if not body.endswith("6304") or not re.fullmatch(r"[0-9A-Fa-f]{4}", checksum):
        return False
    try:
        data = body.encode("ascii")
    except UnicodeEncodeError:
        return False
    return binascii.crc_hqx(data, 0xFFFF) == int(checksum, 16)
