"""The 34 province-level units since 1 July 2025, the old provinces they absorbed, and
their 3,321 communes and wards."""

import pytest

from app.geo import (
    all_communes,
    all_provinces,
    commune_by_code,
    commune_for_name,
    commune_in_province,
    communes_of,
    fold_accents,
    province_by_code,
    province_for_name,
)
from app.geo.provinces import former_provinces

ISSUE_LIST = [
    "Hà Nội",
    "Huế",
    "Hải Phòng",
    "Đà Nẵng",
    "Hồ Chí Minh",
    "Cần Thơ",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Cao Bằng",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Ninh Bình",
    "Quảng Trị",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Đồng Nai",
    "Tây Ninh",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
]


def test_there_are_exactly_the_34_units_in_force():
    names = [p.name for p in all_provinces()]
    assert sorted(names) == sorted(ISSUE_LIST)
    assert len({p.code for p in all_provinces()}) == 34


def test_the_six_centrally_run_cities_are_marked_as_cities():
    cities = {p.name for p in all_provinces() if p.kind == "city"}
    assert cities == {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}


def test_every_one_of_the_63_former_provinces_maps_to_a_current_unit():
    former = {name for p in all_provinces() for name in p.former} - {"Thừa Thiên Huế"}
    kept = {p.name for p in all_provinces()}
    assert len(former) == 29
    assert len(former | kept) == 63


@pytest.mark.parametrize(
    ("old_name", "current"),
    [
        ("Hải Dương", "Hải Phòng"),
        ("Hà Giang", "Tuyên Quang"),
        ("Bắc Giang", "Bắc Ninh"),
        ("tinh hai duong", "Hải Phòng"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("Bắc Kạn", "Thái Nguyên"),
        ("Kiên Giang", "An Giang"),
        ("Hà Nội", "Hà Nội"),
    ],
)
def test_an_old_address_maps_to_its_current_province(old_name, current):
    assert province_for_name(old_name).name == current


def test_an_unknown_name_maps_to_nothing():
    assert province_for_name("Atlantis") is None
    assert province_by_code("99") is None


def test_accents_fold_to_ascii():
    assert fold_accents("Đắk Lắk") == "dak lak"
    assert fold_accents("  Vải THIỀU ") == "vai thieu"


# Communes and wards: the official list of the vietnam-provinces package.


def test_the_package_codes_agree_with_our_former_province_list():
    # data/former_provinces.json is keyed by the codes we used before the package.
    assert {p.code for p in all_provinces()} == set(former_provinces())
    assert province_by_code("31").former == ("Hải Dương",)


def test_there_are_3321_communes_and_wards_each_in_one_of_the_34_units():
    communes = all_communes()
    assert len(communes) == 3321
    assert len({c.code for c in communes}) == 3321
    assert all(len(c.code) == 5 and c.code.isdigit() for c in communes)
    assert {c.province_code for c in communes} == {p.code for p in all_provinces()}
    assert sum(len(communes_of(p.code)) for p in all_provinces()) == 3321


@pytest.mark.parametrize(
    ("code", "name", "province"),
    [
        ("00070", "Phường Hoàn Kiếm", "01"),
        ("00004", "Phường Ba Đình", "01"),
        ("10813", "Xã Thanh Hà", "31"),
        ("05503", "Xã Tân Cương", "19"),
        ("26740", "Phường Sài Gòn", "79"),
        ("26732", "Đặc khu Côn Đảo", "79"),
    ],
)
def test_known_wards_communes_and_special_zones(code, name, province):
    commune = commune_by_code(code)
    assert (commune.name, commune.province_code) == (name, province)
    assert commune in communes_of(province)


def test_a_province_lists_its_communes_by_name_after_their_kind():
    names = [c.name for c in communes_of("31")]
    assert names[:3] == ["Phường Ái Quốc", "Phường An Biên", "Phường An Dương"]
    assert communes_of("99") == () and communes_of(None) == ()


def test_a_commune_belongs_to_its_province_only():
    assert commune_in_province("01", "00070").name == "Phường Hoàn Kiếm"
    assert commune_in_province("31", "00070") is None
    assert commune_in_province("01", "99999") is None
    assert commune_in_province("01", "Hoàn Kiếm") is None  # a name is not a code
    assert commune_by_code("٧٠") is None and commune_by_code("1" * 40) is None


@pytest.mark.parametrize(
    ("province", "written", "code"),
    [
        ("01", "Phường Hoàn Kiếm", "00070"),
        ("01", "phường Hoàn Kiếm", "00070"),
        ("01", "phuong hoan kiem", "00070"),
        ("01", "P. Hoàn Kiếm", "00070"),
        ("01", "  HOÀN   KIẾM ", "00070"),
        ("31", "xã Thanh Hà", "10813"),
        ("31", "Thanh Ha", "10813"),
        ("08", "Xã Chiêm Hóa", "02287"),  # the list writes "Chiêm Hoá"
        ("19", "Văn Lăng", "05665"),  # accents decide between Văn Lăng and Văn Lang
        ("19", "xã Văn Lang", "02143"),
        ("82", "phuong my tho", "28261"),  # the kind decides between a ward and a commune
    ],
)
def test_a_written_commune_is_found_without_accents_or_its_kind(province, written, code):
    assert commune_for_name(province, written).code == code


@pytest.mark.parametrize(
    ("province", "written"),
    [
        ("31", "phường Hoàn Kiếm"),  # a ward of Hà Nội, not of Hải Phòng
        ("19", "van lang"),  # could be either of two communes
        ("01", "Atlantis"),
        ("01", ""),
        ("99", "Hoàn Kiếm"),
    ],
)
def test_a_commune_the_province_does_not_have_is_not_found(province, written):
    assert commune_for_name(province, written) is None
