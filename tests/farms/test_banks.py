"""The NAPAS bank list: every BIN a VietQR code can route by, named as people know it today."""

import re

import pytest

from farms.banks import BANKS, bank_by_bin


def test_every_bank_has_a_six_digit_bin_a_short_name_and_a_full_name():
    assert len(BANKS) >= 60
    for bank in BANKS:
        assert re.fullmatch(r"[0-9]{6}", bank.bin), bank
        assert bank.short_name.strip() == bank.short_name and bank.short_name, bank
        assert len(bank.name) > len(bank.short_name) or bank.short_name in bank.name, bank


def test_bins_and_short_names_are_unique():
    assert len({bank.bin for bank in BANKS}) == len(BANKS)
    assert len({bank.short_name.casefold() for bank in BANKS}) == len(BANKS)


@pytest.mark.parametrize(
    "bin_code, short_name, name",
    [
        ("970436", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam"),
        ("970405", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"),
        ("970422", "MB", "Ngân hàng TMCP Quân đội"),
        ("970446", "Co-opBank", "Ngân hàng Hợp tác xã Việt Nam"),
        ("999888", "VBSP", "Ngân hàng Chính sách Xã hội"),
        ("971005", "Viettel Money", None),
        # Renamed in 2023-2025: the page must not show a bank's old name.
        ("970449", "LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam"),
        ("970454", "BVBank", "Ngân hàng TMCP Bản Việt"),
        ("970430", "PGBank", "Ngân hàng TMCP Thịnh vượng và Phát triển"),
        ("970414", "MBV", "Ngân hàng TNHH MTV Việt Nam Hiện Đại"),
        ("970444", "VCBNeo", "Ngân hàng TNHH MTV Ngoại thương Công nghệ số"),
        ("970406", "Vikki Bank", "Ngân hàng TNHH MTV Số Vikki"),
    ],
)
def test_a_bin_names_its_bank(bin_code, short_name, name):
    bank = bank_by_bin(bin_code)
    assert bank.short_name == short_name
    assert name is None or bank.name == name


@pytest.mark.parametrize("bin_code", [None, "", "123456", "97043", "9704366"])
def test_an_unknown_bin_is_no_bank(bin_code):
    assert bank_by_bin(bin_code) is None


def test_a_bin_with_spaces_around_it_is_found():
    assert bank_by_bin(" 970416 ").short_name == "ACB"
