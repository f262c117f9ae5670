"""VietQR payloads (NAPAS 247 / EMVCo) and their images, decoded back the way a bank app would."""

from __future__ import annotations

import binascii
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from orders.vietqr import (
    build_payload,
    crc16_ccitt_false,
    qr_png,
    qr_svg,
    tlv,
    transfer_message,
)
from tests.support.requirements import missing
from tests.support.vietqr_reader import parse_payload, verify_crc

#: Published example: ACB (BIN 970416), account 257678859, no amount.
ACB_STATIC = (
    "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
)
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def dynamic_payload() -> str:
    return build_payload(
        bank_bin="970436",
        account_number="0011002345678",
        amount_vnd=425_000,
        message="Đơn NS-000123 Vải thiều",
    )


def decode_with_zbar(png: Path) -> str:
    if shutil.which("zbarimg") is None:
        missing("zbarimg", "install it with `apt-get install zbar-tools`")
    result = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode("ascii").removesuffix("\n")


def test_crc_matches_the_published_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize("data", [b"", b"6304", ACB_STATIC[:-4].encode(), bytes(range(256))])
def test_crc_agrees_with_the_standard_library(data):
    # binascii.crc_hqx started at 0xFFFF is the same CRC, computed independently.
    assert crc16_ccitt_false(data) == binascii.crc_hqx(data, 0xFFFF)


def test_static_code_for_acb_matches_the_public_vector():
    assert build_payload(bank_bin="970416", account_number="257678859") == ACB_STATIC
    assert verify_crc(ACB_STATIC)


def test_dynamic_code_carries_amount_currency_country_and_message():
    payload = dynamic_payload()

    fields = parse_payload(payload)

    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert fields["01"] == "12"
    assert fields["53"] == "704"
    assert fields["54"] == "425000"
    assert fields["58"] == "VN"
    merchant = parse_payload(fields["38"])
    assert merchant == {
        "00": "A000000727",
        "01": "000697043601130011002345678",
        "02": "QRIBFTTA",
    }
    assert parse_payload(merchant["01"]) == {"00": "970436", "01": "0011002345678"}
    message = parse_payload(fields["62"])["08"]
    assert message == "DON NS000123 VAI THIEU"
    assert message.isascii() and len(message) <= 25
    assert verify_crc(payload)


def test_code_without_amount_is_static_and_has_no_amount_field():
    fields = parse_payload(build_payload(bank_bin="970436", account_number="0011002345678"))

    assert fields["01"] == "11"
    assert "54" not in fields and "62" not in fields


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: p.replace("54064250005802", "54069250005802"),  # amount changed, CRC kept
        lambda p: p.replace("0011002345678", "0011002345679"),  # account changed
        lambda p: p[:-1] + ("0" if p[-1] != "0" else "1"),  # checksum changed
        lambda p: p[:-8],  # CRC field cut off
    ],
)
def test_tampered_payload_fails_crc(tamper):
    assert not verify_crc(tamper(dynamic_payload()))


def test_transfer_message_drops_accents_and_symbols_and_upper_cases():
    assert transfer_message("Đơn NS-000123 Vải thiều") == "DON NS000123 VAI THIEU"
    assert transfer_message("  đặt   hàng\tbưởi  Thanh Hồng!! ") == "DAT HANG BUOI THANH HONG"


def test_long_message_is_cut_to_25_characters():
    text = "Thanh toán đơn hàng vải thiều Thanh Hà loại một, hộp năm kg."
    assert len(text) == 60

    message = parse_payload(
        parse_payload(
            build_payload(
                bank_bin="970436", account_number="0011002345678", amount_vnd=1, message=text
            )
        )["62"]
    )["08"]

    assert message == "THANH TOAN DON HANG VAI T"
    assert len(message) == 25


def test_cut_message_does_not_end_with_a_space():
    assert transfer_message("Thanh toán đơn hàng bưởi Thanh Hồng") == "THANH TOAN DON HANG BUOI"


def test_message_with_nothing_left_after_cleaning_is_left_out():
    payload = build_payload(bank_bin="970436", account_number="0011002345678", message="!!! —")

    assert "62" not in parse_payload(payload)
    assert verify_crc(payload)


@pytest.mark.parametrize(
    "bank_bin", ["97043", "9704361", "97043A", "", " 970436", "٩٧٠٤٣٦", 970436]
)
def test_bad_bin_is_refused(bank_bin):
    with pytest.raises(ValueError):
        build_payload(bank_bin=bank_bin, account_number="0011002345678")


@pytest.mark.parametrize(
    "account_number", ["", "1" * 20, "0011-002345", "0011 002345", "0011002345678\n", "Đ12"]
)
def test_bad_account_number_is_refused(account_number):
    with pytest.raises(ValueError):
        build_payload(bank_bin="970436", account_number=account_number)


@pytest.mark.parametrize("amount", [0, -1, -425_000, 425_000.0, 0.5, True, "425000", 10**13])
def test_bad_amount_is_refused(amount):
    with pytest.raises(ValueError):
        build_payload(bank_bin="970436", account_number="0011002345678", amount_vnd=amount)


def test_largest_thirteen_digit_amount_is_accepted():
    payload = build_payload(
        bank_bin="970436", account_number="0011002345678", amount_vnd=9_999_999_999_999
    )

    assert parse_payload(payload)["54"] == "9999999999999"


def test_tlv_writes_tag_length_value_and_refuses_more_than_99_characters():
    assert tlv("58", "VN") == "5802VN"
    assert tlv("62", "x" * 99) == "6299" + "x" * 99
    with pytest.raises(ValueError):
        tlv("62", "x" * 100)


@pytest.mark.parametrize("text", ["0002", "00020", "0X02AB", "00020100020X"])
def test_parse_refuses_text_that_is_not_tlv(text):
    with pytest.raises(ValueError):
        parse_payload(text)


@pytest.mark.parametrize(
    "make_payload", [dynamic_payload, lambda: ACB_STATIC], ids=["dynamic", "acb-static"]
)
def test_png_decodes_back_to_the_exact_payload(make_payload, tmp_path):
    payload = make_payload()
    png = tmp_path / "vietqr.png"
    png.write_bytes(qr_png(payload))

    assert decode_with_zbar(png) == payload


def test_png_has_a_quiet_zone_of_four_modules():
    box_size = 10  # pixels a module: a saved image a gallery scanner reads at once

    with Image.open(io.BytesIO(qr_png(dynamic_payload()))) as image:
        assert image.format == "PNG"
        dark = ImageOps.invert(image.convert("L")).getbbox()

    assert dark is not None
    left, top, right, bottom = dark
    assert (left, top) == (4 * box_size, 4 * box_size)
    assert (image.width - right, image.height - bottom) == (4 * box_size, 4 * box_size)


def test_svg_is_self_contained_and_named_for_screen_readers():
    label = 'Mã VietQR "đơn NS-000123" & <thanh toán>'

    svg = qr_svg(dynamic_payload(), label=label)

    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == label
    assert "width" not in root.attrib and root.get("viewBox")
    assert "http" not in svg.replace(f'xmlns="{SVG_NAMESPACE}"', "")
    assert "href" not in svg and "<script" not in svg and "<image" not in svg
    assert ' id="' not in svg


def test_svg_renders_and_decodes_back_to_the_exact_payload(tmp_path):
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert is not installed: `apt-get install librsvg2-bin` to run this")
    payload = dynamic_payload()
    svg, png = tmp_path / "vietqr.svg", tmp_path / "vietqr.png"
    svg.write_text(qr_svg(payload, label="VietQR"), encoding="utf-8")

    subprocess.run(
        ["rsvg-convert", "--width", "450", "--height", "450", "-o", str(png), str(svg)],
        check=True,
        capture_output=True,
    )

    assert decode_with_zbar(png) == payload
