"""The storefront catalog: accent-free search, filters, sorting, pages, fixed query count."""

from datetime import date, timedelta

import pytest

from app.auth.roles import Role
from app.clock import local_today
from products import services
from products.catalog import CatalogQuery, search_catalog
from tests.app.factories import make_user
from tests.farms.factories import make_certification, make_farm
from tests.products.factories import make_product, preorder_fields
from tests.support.queries import count_queries
from tests.support.web import page_text


@pytest.fixture
def shelves(app):
    """Lychee, pomelo and tea from three provinces."""
    hai_phong = make_farm(name="Vườn vải Thanh Hà", province_code="31")
    thai_nguyen = make_farm(name="HTX Chè Tân Cương", province_code="19", kind="cooperative")
    make_product(hai_phong, name="Vải thiều Thanh Hà", prices=(180000,))
    make_product(
        hai_phong, name="Bưởi Thanh Hồng", prices=(55000,), description="Ngọt như vải thiều"
    )
    make_product(thai_nguyen, name="Chè Tân Cương đặc biệt", category="tea", prices=(150000,))
    make_product(thai_nguyen, name="Chè nháp", publish=False)


def _names(query: CatalogQuery) -> list[str]:
    return [p.name for p in search_catalog(query, local_today()).items]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("vai thieu", "Vải thiều Thanh Hà"),
        ("buoi", "Bưởi Thanh Hồng"),
        ("che tan cuong", "Chè Tân Cương đặc biệt"),
        ("VẢI THIỀU", "Vải thiều Thanh Hà"),
        ("Bưởi", "Bưởi Thanh Hồng"),
    ],
)
def test_search_ignores_accents_and_case(shelves, typed, found):
    assert found in _names(CatalogQuery(text=typed))


def test_name_matches_rank_above_description_matches(shelves):
    assert _names(CatalogQuery(text="vai thieu")) == ["Vải thiều Thanh Hà", "Bưởi Thanh Hồng"]


def test_drafts_never_show(shelves):
    assert "Chè nháp" not in _names(CatalogQuery(text="che"))


def test_filters_by_category_province_and_price(shelves):
    assert _names(CatalogQuery(category="tea")) == ["Chè Tân Cương đặc biệt"]
    assert set(_names(CatalogQuery(province_code="31"))) == {
        "Vải thiều Thanh Hà",
        "Bưởi Thanh Hồng",
    }
    assert _names(CatalogQuery(price_min=100000, price_max=160000)) == ["Chè Tân Cương đặc biệt"]


def test_sorting_by_price(shelves):
    assert _names(CatalogQuery(sort="price_asc")) == [
        "Bưởi Thanh Hồng",
        "Chè Tân Cương đặc biệt",
        "Vải thiều Thanh Hà",
    ]
    assert _names(CatalogQuery(sort="price_desc"))[0] == "Vải thiều Thanh Hà"


def test_ocop_filter_counts_only_verified_unexpired_stars(app):
    operator = make_user(role=Role.OPERATOR)
    verified = make_product(name="Chè bốn sao")
    pending = make_product(name="Chè chưa duyệt")
    for product, check in ((verified, True), (pending, False)):
        certificate = services.set_ocop(
            product,
            product.farm.members[0].user,
            stars="4",
            decision_number="1/QĐ",
            decision_date=local_today() - timedelta(days=30),
        )
        if check:
            services.verify_ocop(certificate, operator)
    assert _names(CatalogQuery(min_stars=4)) == ["Chè bốn sao"]
    assert _names(CatalogQuery(min_stars=5)) == []


def test_certification_filter_counts_only_verified_unexpired_certificates(app):
    operator = make_user(role=Role.OPERATOR)
    good = make_farm()
    make_certification(good, verified_by=operator)
    stale = make_farm()
    make_certification(
        stale, verified_by=operator, issued_on=date(2020, 1, 1), expires_on=date(2023, 1, 1)
    )
    make_product(good, name="Vải VietGAP")
    make_product(stale, name="Vải hết hạn")
    assert _names(CatalogQuery(certification="vietgap")) == ["Vải VietGAP"]


def test_season_and_pre_order_filters(app):
    today = local_today()
    month_day = f"{today.day}/{today.month}"
    make_product(name="Đang mùa", season_start=month_day, season_end=month_day)
    make_product(name="Quanh năm")
    make_product(name="Đặt trước", **preorder_fields(5, today))
    assert set(_names(CatalogQuery(availability="in_season"))) == {"Đang mùa", "Quanh năm"}
    assert _names(CatalogQuery(availability="preorder")) == ["Đặt trước"]


def test_pages_of_results(app):
    farm = make_farm()
    for n in range(5):
        make_product(farm, name=f"Cam sành số {n}")
    first = search_catalog(CatalogQuery(text="cam sanh"), local_today(), per_page=2)
    last = search_catalog(CatalogQuery(text="cam sanh", page=99), local_today(), per_page=2)
    assert (first.total, first.pages, len(first.items)) == (5, 3, 2)
    assert (last.page, len(last.items)) == (3, 1)


def test_the_catalog_page_runs_a_fixed_number_of_queries(app, client):
    farm = make_farm()
    make_product(farm, name="Vải số 0")
    client.get("/products")  # warm up: the session and the language are loaded once
    with count_queries() as few:
        assert client.get("/products").status_code == 200
    for n in range(1, 12):
        make_product(make_farm(), name=f"Vải số {n}", prices=(100000, 200000))
    with count_queries() as many:
        assert client.get("/products").status_code == 200
    assert len(many) == len(few) <= 5, many


def test_the_home_page_runs_a_fixed_number_of_queries(app, client):
    make_product(name="Vải số 0")
    with count_queries() as few:
        client.get("/")
    for n in range(1, 8):
        make_product(make_farm(), name=f"Vải số {n}")
    with count_queries() as many:
        client.get("/")
    assert len(many) == len(few), many


def test_malformed_filters_are_ignored_with_a_note_and_never_fail(shelves, client):
    response = client.get("/products?price_min=abc&page=-3&stars=9&category=x&province=99&sort=z")
    assert response.status_code == 200
    assert "Giá thấp nhất phải là số nguyên nên đã bị bỏ qua." in page_text(response)
    assert "3 sản phẩm" in page_text(response)


def test_the_search_box_is_a_plain_get_form_on_every_page(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'method="get" action="/products" role="search"' in html


def test_counting_stops_past_the_limit(app, monkeypatch):
    import products.catalog as catalog

    monkeypatch.setattr(catalog, "COUNT_LIMIT", 3)
    farm = make_farm()
    for n in range(5):
        make_product(farm, name=f"Nhãn lồng số {n}")
    page = search_catalog(CatalogQuery(text="nhan long"), local_today(), per_page=2)
    assert (page.total, page.more, page.pages) == (3, True, 2)


def test_the_whole_phrase_in_a_name_ranks_first(app):
    make_product(name="Thiều Thanh Hà sấy khô vải")
    make_product(name="Vải thiều Thanh Hà")
    assert _names(CatalogQuery(text="vai thieu"))[0] == "Vải thiều Thanh Hà"


def test_the_pager_ignores_address_arguments_that_url_for_would_read_as_its_own(app, client):
    # Given a catalog of more than one page
    farm = make_farm()
    for n in range(25):
        make_product(farm, name=f"Bưởi số {n}")

    # When a visitor adds url_for's own names to the address
    response = client.get("/products?endpoint=x&_method=DELETE&_scheme=https&_external=1")

    # Then the page is shown, and its "next" link is this site's, without those names
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/products?page=2"' in html
    assert "endpoint=" not in html and "https://" not in html
