"""Listing produce: details, GTIN, variants, seasons, OCOP, publishing."""

from datetime import date

import pytest

from app.auth.roles import Role
from app.errors import DomainError, PermissionDenied
from products import services
from products.seasons import SeasonState, availability
from tests.app.factories import make_user
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import (
    make_product,
    make_ready_to_sell,
    product_details,
    variant_fields,
)
from tests.support.snapshots import database_snapshot


def test_a_product_starts_as_a_draft_and_publishes_once_it_has_a_variant(app):
    farm = make_ready_to_sell(make_farm())
    owner = farm.members[0].user
    product = services.create_product(farm, owner, **product_details(name="Vải thiều Thanh Hà"))
    assert product.status == "draft" and product.slug == "vai-thieu-thanh-ha"
    before = database_snapshot()
    with pytest.raises(DomainError):
        services.publish_product(product, owner)
    assert database_snapshot() == before

    services.add_variant(product, owner, **variant_fields(price_vnd="180.000"))
    services.publish_product(product, owner)

    assert product.status == "published" and product.published_at is not None
    assert product.price_from_vnd == 180000


def test_the_lowest_variant_price_is_kept_for_sorting(app):
    product = make_product(prices=(420000, 180000))
    assert product.price_from_vnd == 180000
    services.update_variant(
        product.variants[1], product.farm.members[0].user, **variant_fields(price_vnd="500000")
    )
    assert product.price_from_vnd == 420000


def test_search_copies_drop_accents(app):
    product = make_product(name="Chè Tân Cương đặc biệt")
    assert product.search_name == "che tan cuong dac biet"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8934563138165", "08934563138165"),
        ("08934563138165", "08934563138165"),
        ("8934 5631 3816 5", "08934563138165"),
    ],
)
def test_gtins_are_checked_and_stored_as_gtin14(app, typed, stored):
    assert make_product(gtin=typed).gtin == stored


@pytest.mark.parametrize("typed", ["8934563138166", "12345", "96385074", "abc"])
def test_bad_gtins_are_refused(app, typed):
    farm = make_farm()
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        make_product(farm, gtin=typed)
    assert refused.value.field == "gtin"
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"unit": "barrel"}, "unit"),
        ({"price_vnd": "0"}, "price_vnd"),
        ({"price_vnd": "12,5k"}, "price_vnd"),
        ({"weight_grams": "0"}, "weight_grams"),
        ({"stock": "-1"}, "stock"),
        ({"min_order_qty": "0"}, "min_order_qty"),
        ({"unit": "custom", "custom_unit": ""}, "custom_unit"),
        ({"pack_kg": "-2"}, "pack_kg"),
    ],
)
def test_bad_variants_are_refused(app, changes, field):
    product = make_product(publish=False, prices=())
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        services.add_variant(product, product.farm.members[0].user, **variant_fields(**changes))
    assert refused.value.field == field
    assert database_snapshot() == before


def test_a_farmer_cannot_list_for_another_farm(app):
    theirs = make_farm()
    stranger = make_user(role=Role.FARMER)
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.create_product(theirs, stranger, **product_details())
    assert database_snapshot() == before
    product = make_product(theirs)
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        services.add_variant(product, stranger, **variant_fields())
    with pytest.raises(PermissionDenied):
        services.hide_product(product, stranger)
    assert database_snapshot() == before


def test_a_growing_area_must_be_the_farms_own(app):
    mine, theirs = make_farm(), make_farm()
    their_area = make_growing_area(theirs)
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        services.create_product(
            mine, mine.members[0].user, **product_details(growing_area_id=str(their_area.id))
        )
    assert refused.value.field == "growing_area_id"
    assert database_snapshot() == before


def test_lychee_sells_in_its_season_and_says_when_it_comes_back(app):
    product = make_product(season_start="1/6", season_end="15/7")
    assert availability(product, date(2027, 6, 10)).state == SeasonState.IN_SEASON
    later = availability(product, date(2027, 7, 16))
    assert later.state == SeasonState.OUT_OF_SEASON and not later.can_order
    assert (later.season_opens, later.season_closes) == (date(2028, 6, 1), date(2028, 7, 15))


def test_a_season_can_cross_new_year(app):
    product = make_product(season_start="1/11", season_end="28/2")
    assert availability(product, date(2027, 1, 10)).state == SeasonState.IN_SEASON
    assert availability(product, date(2027, 3, 1)).state == SeasonState.OUT_OF_SEASON


def test_pre_orders_open_before_the_season_until_capacity_is_taken(app, monkeypatch):
    product = make_product(
        season_start="1/6",
        season_end="15/7",
        preorder_enabled=True,
        preorder_ships_on=date(2099, 6, 5),
        preorder_capacity="200",
    )
    before = availability(product, date(2099, 3, 1))
    assert before.state == SeasonState.PREORDER and before.preorder_left == 200
    product.preorder_taken = 200
    assert availability(product, date(2099, 3, 1)).state == SeasonState.OUT_OF_SEASON


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"season_start": "31/2", "season_end": "15/7"}, "season_start"),
        ({"season_start": "1/6", "season_end": ""}, "season_end"),
        ({"season_start": "June", "season_end": "July"}, "season_start"),
        (
            {
                "preorder_enabled": True,
                "preorder_ships_on": None,
                "season_start": "1/6",
                "season_end": "15/7",
                "preorder_capacity": "10",
            },
            "preorder_ships_on",
        ),
        ({"preorder_enabled": True, "preorder_ships_on": date(2099, 1, 1)}, "preorder_enabled"),
    ],
)
def test_bad_seasons_are_refused(app, changes, field):
    farm = make_farm()
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        make_product(farm, **changes)
    assert refused.value.field == field
    assert database_snapshot() == before


def test_ocop_level_follows_the_stars_and_expiry_defaults_to_36_months(app):
    product = make_product()
    owner = product.farm.members[0].user
    certificate = services.set_ocop(
        product, owner, stars="5", decision_number="318/QĐ-BNN", decision_date=date(2025, 2, 14)
    )
    assert certificate.level == "ministry" and certificate.expires_on == date(2028, 2, 14)
    certificate = services.set_ocop(
        product, owner, stars="4", decision_number="2087/QĐ-UBND", decision_date=date(2025, 2, 14)
    )
    assert certificate.level == "province"


def test_ocop_stars_count_only_verified_and_unexpired(app):
    product = make_product()
    owner = product.farm.members[0].user
    certificate = services.set_ocop(
        product, owner, stars="4", decision_number="1/QĐ", decision_date=date(2024, 1, 1)
    )
    assert not certificate.is_valid_on(date(2025, 1, 1))
    services.verify_ocop(certificate, make_user(role=Role.OPERATOR))
    assert certificate.is_valid_on(date(2025, 1, 1))
    assert not certificate.is_valid_on(date(2027, 1, 2))
    services.set_ocop(
        product, owner, stars="5", decision_number="2/QĐ", decision_date=date(2024, 1, 1)
    )
    assert certificate.verified_at is None  # a changed decision is checked again


@pytest.mark.parametrize("stars", ["2", "6", "", "năm"])
def test_ocop_has_three_to_five_stars(app, stars):
    product = make_product()
    before = database_snapshot()
    with pytest.raises(DomainError):
        services.set_ocop(
            product,
            product.farm.members[0].user,
            stars=stars,
            decision_number="1/QĐ",
            decision_date=date(2024, 1, 1),
        )
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("expires_on", "accepted"),
    [(date(2029, 1, 1), True), (date(2029, 1, 2), False), (date(9999, 12, 31), False)],
)
def test_an_ocop_end_date_past_five_years_is_a_typing_mistake(app, expires_on, accepted):
    # 31/12/9999 once stopped every refresh of the province dashboard (a day after it overflows).
    product = make_product()
    before = database_snapshot()
    fields = {"stars": "4", "decision_number": "1/QĐ", "decision_date": date(2024, 1, 1)}
    owner = product.farm.members[0].user
    if accepted:
        assert services.set_ocop(product, owner, **fields, expires_on=expires_on)
        return
    with pytest.raises(DomainError) as refused:
        services.set_ocop(product, owner, **fields, expires_on=expires_on)
    assert refused.value.field == "expires_on"
    assert database_snapshot() == before


def test_a_published_product_keeps_one_variant(app):
    product = make_product()
    before = database_snapshot()
    with pytest.raises(DomainError):
        services.remove_variant(product.variants[0], product.farm.members[0].user)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "changes",
    [{"stars": "6"}, {"decision_number": ""}, {"decision_number": "1" * 81}],
    ids=["stars", "empty-number", "long-number"],
)
def test_a_refused_ocop_change_leaves_the_verified_certificate_as_it_was(app, changes):
    # Given a product with a verified 4-star OCOP certificate
    product = make_product()
    owner = product.farm.members[0].user
    fields = {"stars": "4", "decision_number": "1/QĐ", "decision_date": date(2024, 1, 1)}
    services.verify_ocop(services.set_ocop(product, owner, **fields), make_user(role=Role.OPERATOR))
    before = database_snapshot()

    # When the farm sends a change with one bad field
    with pytest.raises(DomainError):
        services.set_ocop(product, owner, **{**fields, "stars": "5", **changes})

    # Then the certificate keeps its stars, level and verification
    assert database_snapshot() == before
