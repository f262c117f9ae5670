"""How people name themselves at log-in: a Vietnamese mobile number or an e-mail address."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


class InvalidIdentifier(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """A Vietnamese mobile number in E.164 (+84…), from "0912 345 678", "+84 912…" or "84912…"."""
    text = (raw or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or len(digits) > 15:
        raise InvalidIdentifier(raw)
    if text.startswith("+"):
        candidate = "+" + digits
    elif digits.startswith("84") and len(digits) == 11:
        candidate = "+" + digits
    else:
        candidate = digits
    try:
        number = phonenumbers.parse(candidate, "VN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(raw) from exc
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(raw)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidIdentifier(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    """A syntactically valid address, lower-cased so that one inbox is one account."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidIdentifier(raw) from exc
    return result.normalized.lower()


def display_phone(e164: str | None) -> str:
    """+84912345678 as Vietnamese people write it: 0912 345 678."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, "VN")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@dataclass(frozen=True)
class Identifier:
    kind: str  # "phone" or "email"
    value: str


def parse_identifier(raw: str) -> Identifier:
    """Decide whether the text is an e-mail address or a phone number, and normalise it."""
    text = (raw or "").strip()
    if "@" in text:
        return Identifier("email", normalize_email(text))
    return Identifier("phone", normalize_phone(text))
