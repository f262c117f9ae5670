"""Checks that several domains' services share, each raising DomainError with a message
in the user's language and the name of the field it is about."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.geo import (
    Commune,
    commune_for_name,
    commune_in_province,
    fold_accents,
    province_by_code,
)

#: The largest id a table holds: ids are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1
#: The highest price, fee or amount in đồng anyone can enter (fits a 32-bit integer).
MAX_VND = 1_000_000_000
#: What read_whole_number() answers for a number too long to be meant (past 18 digits).
TOO_BIG = 10**18
_WHOLE_NUMBER = re.compile(r"(-?)([0-9]+)")


def is_storable_text(text: str) -> bool:
    """Text every database column can keep: no NUL (PostgreSQL refuses it) and no lone
    surrogate (no encoding has one). What a person types on a page never has them; a
    program's JSON can."""
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


def clean_text(
    value: str | None, field: str, max_length: int, label, *, required: bool = True
) -> str:
    """Whitespace folded; refused when empty (if required) or longer than max_length."""
    text = " ".join((value or "").split())
    if required and not text:
        raise DomainError(_l("Please enter %(what)s.", what=label), field=field)
    if len(text) > max_length:
        raise DomainError(
            _l("Too long: %(what)s can have at most %(n)d characters.", what=label, n=max_length),
            field=field,
        )
    return text


def clean_paragraphs(value: str | None, field: str, max_length: int, label) -> str:
    """Free text that keeps its line breaks (a story, a description)."""
    text = "\n".join(line.rstrip() for line in (value or "").strip().splitlines())
    if len(text) > max_length:
        raise DomainError(
            _l("Too long: %(what)s can have at most %(n)d characters.", what=label, n=max_length),
            field=field,
        )
    return text


def check_province(code: str | None, field: str = "province_code") -> str:
    if province_by_code(code) is None:
        raise DomainError(_l("Choose a province or city from the list."), field=field)
    return code


def check_commune(province_code: str, value: str | None, field: str = "commune") -> Commune:
    """The province's commune or ward chosen from the list (its code), or named as written
    there ("Phường Hoàn Kiếm", "hoan kiem"); a commune of another province is refused."""
    province = province_by_code(province_code)
    commune = commune_in_province(province_code, value) or commune_for_name(province_code, value)
    if province is None or commune is None:
        raise DomainError(
            _l(
                "Choose the commune or ward from the list of %(province)s.",
                province=province.display_name if province else "",
            )
            if province
            else _l("Choose a province or city from the list."),
            field=field,
        )
    return commune


def parse_decimal(
    value,
    field: str,
    label,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    places: int = 2,
) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_l("Enter a number for %(what)s.", what=label), field=field) from exc
    if not number.is_finite():
        raise DomainError(_l("Enter a number for %(what)s.", what=label), field=field)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise DomainError(_l("%(what)s is out of range.", what=label), field=field)
    try:
        return number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation as exc:  # too many digits to keep two decimals
        raise DomainError(_l("%(what)s is out of range.", what=label), field=field) from exc


def check_date_order(earlier: date, later: date, field: str) -> None:
    if later <= earlier:
        raise DomainError(_l("The end date must be after the start date."), field=field)


def slugify(text: str, max_length: int = 60) -> str:
    """An ASCII address segment: "Vải thiều Thanh Hà" -> "vai-thieu-thanh-ha"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_accents(text)).strip("-")
    return slug[:max_length].rstrip("-") or "x"


def read_whole_number(value) -> int | None:
    """A whole number written with the digits 0-9 (and an optional minus), else None.

    The one way the project reads numbers people and addresses send: "²".isdigit() is true
    and int() then fails, int() reads "٣" and "３", and refuses more than 4300 digits. A number
    longer than 18 digits reads as TOO_BIG (or -TOO_BIG), past every limit the callers check.
    """
    text = str(value).strip() if value is not None else ""
    match = _WHOLE_NUMBER.fullmatch(text)
    if match is None:
        return None
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    number = TOO_BIG if len(digits) > 18 else int(digits)
    return -number if sign else number


def read_id(value) -> int | None:
    """A row id from a form or an address: 1 to MAX_ID, anything else None (no such row)."""
    number = read_whole_number(value)
    return number if number is not None and 1 <= number <= MAX_ID else None


#: Whole đồng: digits, or groups of three after a first group of one to three, split by one
#: kind of separator. The đồng has no decimals, so ".", "," and a space can only group digits.
_GROUPED_VND = re.compile(r"[0-9]+|[0-9]{1,3}(?:([.,\u0020\u00a0\u202f])[0-9]{3})(?:\1[0-9]{3})*")
_CURRENCY = re.compile(r"\s*(?:₫|đ|đồng|vnd|vnđ)\s*$", re.IGNORECASE)


def read_vnd(value) -> int | None:
    """Whole đồng as people write them: "125000", "125.000", "125,000", "125 000", with or
    without "₫"/"đ"/"VND" after them; None for anything else ("12,5", "1.25.000", "-5", "1e5"):
    a misplaced separator is refused rather than read as some other amount."""
    text = _CURRENCY.sub("", str(value if value is not None else "").strip())
    if _GROUPED_VND.fullmatch(text) is None:
        return None
    return read_whole_number("".join(ch for ch in text if ch.isascii() and ch.isdigit()))


def parse_vnd(value, field: str, label, *, minimum: int = 1, maximum: int = MAX_VND) -> int:
    """Whole đồng as people type them (see read_vnd), within the limits."""
    amount = read_vnd(value)
    if amount is None:
        raise DomainError(
            _l("Enter %(what)s in whole đồng, e.g. 125.000 or 125000 (no decimals).", what=label),
            field=field,
        )
    if amount < minimum or amount > maximum:
        raise DomainError(_l("%(what)s is out of range.", what=label), field=field)
    return amount


def parse_whole_number(
    value, field: str, label, *, minimum: int = 0, maximum: int = 10_000_000
) -> int:
    text = (
        "".join(str(value if value is not None else "").split()).replace(".", "").replace(",", "")
    )
    number = read_whole_number(text)
    if number is None:
        raise DomainError(_l("Enter a whole number for %(what)s.", what=label), field=field)
    if number < minimum or number > maximum:
        raise DomainError(_l("%(what)s is out of range.", what=label), field=field)
    return number
