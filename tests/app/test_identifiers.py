"""Phone numbers and e-mail addresses as people type them."""

import pytest

from app.auth.identifiers import InvalidIdentifier, display_phone, parse_identifier


@pytest.mark.parametrize(
    "typed", ["0912 345 678", "0912345678", "+84 912 345 678", "84912345678", "(+84) 912.345.678"]
)
def test_vietnamese_mobile_numbers_normalise_to_e164(typed):
    assert parse_identifier(typed).value == "+84912345678"


@pytest.mark.parametrize(
    "typed", ["12345", "024 3825 1234", "0912 345 678 999", "+1 415 555 0100", "abc", ""]
)
def test_malformed_or_non_mobile_numbers_are_refused(typed):
    with pytest.raises(InvalidIdentifier):
        parse_identifier(typed)


def test_email_addresses_are_lower_cased():
    identifier = parse_identifier("  Lan.Do@Example.VN ")
    assert (identifier.kind, identifier.value) == ("email", "lan.do@example.vn")


def test_a_broken_email_is_refused():
    with pytest.raises(InvalidIdentifier):
        parse_identifier("lan@@example")


def test_numbers_are_shown_the_vietnamese_way():
    assert display_phone("+84912345678") == "0912 345 678"
