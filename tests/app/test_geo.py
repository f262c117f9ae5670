"""The 34 province-level units since 1 July 2025 and the old provinces they absorbed."""

import pytest

from app.geo import all_provinces, fold_accents, province_by_code, province_for_name

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
