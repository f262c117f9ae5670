"""Search knows the common produce by its English and its Vietnamese names, and a product's
own English name, through the one catalog search (run on SQLite and PostgreSQL)."""

import pytest

from app.clock import local_today
from products.catalog import CatalogQuery, search_catalog
from products.produce_names import search_terms
from tests.farms.factories import make_farm
from tests.products.factories import make_product


@pytest.fixture
def market(app):
    farm = make_farm(name="HTX Nông sản Hải Dương")
    for name in (
        "Vải thiều Thanh Hà",
        "Bưởi da xanh",
        "Chè Tân Cương",
        "Trà shan tuyết",
        "Cam sành Hà Giang",
        "Gạo cẩm Điện Biên",
        "Thanh long ruột đỏ",
        "Chanh dây tím",
        "Chanh không hạt",
        "Nhãn lồng Hưng Yên",
        "Hạt điều nhân rang muối",
        "Xoài cát Hòa Lộc",
        "Cá tra một nắng",
    ):
        make_product(farm, name=name)


def _found(text: str) -> set[str]:
    return {p.name for p in search_catalog(CatalogQuery(text=text), local_today()).items}


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("lychee", {"Vải thiều Thanh Hà"}),
        ("Litchi", {"Vải thiều Thanh Hà"}),
        ("pomelo", {"Bưởi da xanh"}),
        ("tea", {"Chè Tân Cương", "Trà shan tuyết"}),
        ("orange", {"Cam sành Hà Giang"}),
        ("oranges", {"Cam sành Hà Giang"}),
        ("dragon fruit", {"Thanh long ruột đỏ"}),
        ("passion fruit", {"Chanh dây tím"}),
        ("lime", {"Chanh không hạt"}),
        ("longan", {"Nhãn lồng Hưng Yên"}),
        ("cashew", {"Hạt điều nhân rang muối"}),
        ("mangoes", {"Xoài cát Hòa Lộc"}),
    ],
)
def test_english_produce_names_find_the_vietnamese_products(market, typed, found):
    assert _found(typed) == found


def test_folded_words_that_name_something_else_are_not_found(market):
    # "cam" is also the folded "cẩm" of a purple rice, "tra" a fish, "nhan" a kernel.
    assert "Gạo cẩm Điện Biên" not in _found("orange")
    assert "Cá tra một nắng" not in _found("tea")
    assert "Hạt điều nhân rang muối" not in _found("longan")


def test_vietnamese_words_still_match_with_or_without_accents(market):
    assert _found("vải thiều") == {"Vải thiều Thanh Hà"}
    assert _found("thanh long") == {"Thanh long ruột đỏ"}
    assert "Cam sành Hà Giang" in _found("cam sanh")


def test_an_english_word_with_another_word_needs_both(market):
    assert _found("orange ha giang") == {"Cam sành Hà Giang"}
    assert _found("lychee hung yen") == set()


def test_an_unknown_word_finds_nothing(market):
    assert _found("kiwifruit") == set()


def test_the_english_name_field_is_searched_in_both_languages(app):
    make_product(name="Sản phẩm đặc biệt", english_name="Organic lychee honey")
    assert _found("organic") == {"Sản phẩm đặc biệt"}
    # A Vietnamese produce word finds the English name too: "mật ong" is honey.
    assert _found("mật ong") == {"Sản phẩm đặc biệt"}


def test_a_product_named_in_english_ranks_with_the_vietnamese_ones(app):
    farm = make_farm()
    make_product(farm, name="Quà biếu", english_name="Dried mango")
    make_product(farm, name="Bánh quê", description="Làm từ xoài sấy")
    names = [p.name for p in search_catalog(CatalogQuery(text="mango"), local_today()).items]
    # The name match ranks first; the description match (xoài is mango) is not a match
    # of an English word at all: descriptions are matched only as typed.
    assert names == ["Quà biếu"]


def test_search_terms_group_produce_names_and_keep_other_words():
    terms = search_terms(["dragon", "fruit", "ha", "noi"])
    assert [t.typed for t in terms] == ["dragon fruit", "ha", "noi"]
    assert "thanh long" in terms[0].names
    assert terms[1].names == ()
