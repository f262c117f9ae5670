"""A farm's products and variants over the API: the dashboard's services, scoped to the
token's farms, and the bulk change of stock and prices all or nothing."""

from __future__ import annotations

import pytest

from app.auth.api_tokens import ApiToken
from app.auth.roles import Role
from app.errors import DomainError
from app.extensions import db
from products.bulk_changes import MAX_CHANGES, VariantChange, change_stock_and_prices
from products.models import Product, ProductStatus, Variant
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_order
from tests.products.factories import make_product, make_ready_to_sell
from tests.support.queries import count_queries
from tests.support.snapshots import database_snapshot

NEW_PRODUCT = {"name": "Vải thiều Thanh Hà", "category": "fresh_fruit"}
NEW_VARIANT = {"unit": "box", "pack_kg": 2, "price_vnd": 180000, "weight_grams": 2300}


def _snapshot():
    """Every row but the tokens' own, whose last use a request stamps."""
    return database_snapshot(excluding=[ApiToken])


def _owner(farm):
    return farm.members[0].user


def _token(farm, scopes=("products:read", "products:write"), *, key=False) -> dict:
    return bearer(make_token(_owner(farm), set(scopes), farm=farm if key else None))


def _products_url(farm, *rest) -> str:
    return "/".join([f"/api/v1/farms/{farm.id}/products", *map(str, rest)])


# Reading ---------------------------------------------------------------------------------


def test_the_list_holds_every_status_newest_first_with_variants(client, app):
    farm = make_farm()
    published = make_product(farm)
    draft = make_product(farm, publish=False)

    response = client.get(_products_url(farm), headers=_token(farm))

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["id"] for item in items] == [draft.id, published.id]
    assert [item["status"] for item in items] == ["draft", "published"]
    assert items[1]["variants"][0]["price_vnd"] == 180000
    assert items[1]["variants"][0]["pack_kg"] == 2.0


def test_the_list_filters_by_status_and_pages_by_cursor(client, app):
    farm = make_farm()
    drafts = [make_product(farm, publish=False) for _ in range(3)]
    make_product(farm)
    headers = _token(farm)

    first = client.get(_products_url(farm) + "?status=draft&limit=2", headers=headers)
    cursor = first.get_json()["next_cursor"]
    second = client.get(
        _products_url(farm) + f"?status=draft&limit=2&cursor={cursor}", headers=headers
    )

    ids = [item["id"] for item in first.get_json()["items"] + second.get_json()["items"]]
    assert ids == [product.id for product in reversed(drafts)]
    assert 'rel="next"' in first.headers["Link"]
    assert second.get_json()["next_cursor"] is None


def test_one_product_reads_with_its_season_as_day_and_month(client, app):
    farm = make_farm()
    product = make_product(farm, publish=False, season_start="1/6", season_end="31/8")

    response = client.get(_products_url(farm, product.id), headers=_token(farm))

    assert response.status_code == 200
    body = response.get_json()
    assert (body["season_start"], body["season_end"]) == ("1/6", "31/8")
    assert body["created_at"].endswith("Z")


def test_a_product_of_another_farm_is_not_found_under_this_one(client, app):
    farm, other = make_farm(), make_farm()
    owner = _owner(farm)
    other_product = make_product(make_farm(owner=owner), publish=False)

    response = client.get(_products_url(farm, other_product.id), headers=_token(farm))

    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    del other


# Writing ---------------------------------------------------------------------------------


def test_a_new_product_is_a_draft_made_by_the_service(client, app):
    farm = make_farm()

    response = client.post(
        _products_url(farm), json={**NEW_PRODUCT, "description": "Quả to"}, headers=_token(farm)
    )

    assert response.status_code == 201
    body = response.get_json()
    product = db.session.get(Product, body["id"])
    assert product.farm_id == farm.id
    assert (body["status"], body["slug"]) == ("draft", "vai-thieu-thanh-ha")
    assert product.search_name  # the service keeps the search fields


def test_a_refused_product_is_a_422_naming_the_field_and_nothing_is_written(client, app):
    farm = make_farm()
    headers = _token(farm)
    before = _snapshot()

    response = client.post(
        _products_url(farm),
        json={**NEW_PRODUCT, "season_start": "1/6", "season_end": None},
        headers=headers,
    )

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "season_end" in response.get_json()["errors"]
    assert _snapshot() == before


def test_a_bad_value_is_a_422_naming_the_field(client, app):
    farm = make_farm()
    headers = _token(farm)
    before = _snapshot()

    response = client.post(
        _products_url(farm), json={"name": "Vải", "category": "spaceships"}, headers=headers
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["category"]
    assert _snapshot() == before


def test_a_name_holding_markup_round_trips_as_plain_text(client, app):
    farm = make_farm()
    name = "<script>alert('x')</script> & \"Vải\""
    headers = _token(farm)

    created = client.post(_products_url(farm), json={**NEW_PRODUCT, "name": name}, headers=headers)
    read = client.get(_products_url(farm, created.get_json()["id"]), headers=headers)

    assert read.get_json()["name"] == name
    assert db.session.get(Product, created.get_json()["id"]).name == name


def test_a_nul_character_is_refused_not_a_server_error(client, app):
    farm = make_farm()

    response = client.post(
        _products_url(farm), json={**NEW_PRODUCT, "name": "Vải\x00"}, headers=_token(farm)
    )

    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]


def test_a_change_touches_only_the_fields_sent(client, app):
    farm = make_farm()
    product = make_product(farm, publish=False, season_start="1/6", season_end="31/8")
    old_description = product.description

    response = client.patch(
        _products_url(farm, product.id),
        json={"name": "Vải thiều sớm", "category": "vegetables"},
        headers=_token(farm),
    )

    db.session.expire_all()
    assert response.status_code == 200
    assert (product.name, product.category) == ("Vải thiều sớm", "vegetables")
    assert (product.description, product.season_start, product.season_end) == (
        old_description,
        601,
        831,
    )


def test_publishing_follows_the_readiness_rules(client, app):
    farm = make_farm()
    product = make_product(farm, publish=False)
    headers = _token(farm)
    before = _snapshot()

    refused = client.post(_products_url(farm, product.id, "publish"), headers=headers)

    assert refused.status_code == 422
    assert _snapshot() == before
    make_ready_to_sell(farm)
    published = client.post(_products_url(farm, product.id, "publish"), headers=headers)
    assert published.status_code == 200
    assert published.get_json()["status"] == "published"


def test_unpublishing_hides_the_product(client, app):
    farm = make_farm()
    product = make_product(farm)

    response = client.post(_products_url(farm, product.id, "unpublish"), headers=_token(farm))

    db.session.expire_all()
    assert response.status_code == 200
    assert product.status == ProductStatus.HIDDEN


# Variants --------------------------------------------------------------------------------


def test_variants_are_listed_added_changed_and_removed(client, app):
    farm = make_farm()
    product = make_product(farm, publish=False)
    headers = _token(farm)
    url = _products_url(farm, product.id, "variants")

    added = client.post(url, json=NEW_VARIANT | {"price_vnd": 150000}, headers=headers)
    variant_id = added.get_json()["id"]
    changed = client.patch(f"{url}/{variant_id}", json={"stock": 7}, headers=headers)
    listed = client.get(url, headers=headers)
    removed = client.delete(f"{url}/{variant_id}", headers=headers)

    db.session.expire_all()
    assert added.status_code == 201
    assert (changed.status_code, changed.get_json()["stock"]) == (200, 7)
    assert changed.get_json()["price_vnd"] == 150000
    assert [item["id"] for item in listed.get_json()["items"]][-1] == variant_id
    assert removed.status_code == 204
    assert db.session.get(Variant, variant_id) is None
    assert product.price_from_vnd == 180000


def test_the_last_variant_of_a_published_product_stays(client, app):
    farm = make_farm()
    product = make_product(farm)
    variant = product.variants[0]
    before = _snapshot()

    response = client.delete(
        _products_url(farm, product.id, "variants", variant.id), headers=_token(farm)
    )

    assert response.status_code == 422
    assert _snapshot() == before


def test_a_variant_of_another_product_is_not_found(client, app):
    farm = make_farm()
    product, other = make_product(farm), make_product(farm)

    response = client.patch(
        _products_url(farm, product.id, "variants", other.variants[0].id),
        json={"stock": 1},
        headers=_token(farm),
    )

    assert response.status_code == 404


# Stock and prices in bulk -----------------------------------------------------------------


def _bulk(client, farm, items):
    return client.patch(
        f"/api/v1/farms/{farm.id}/variants", json={"items": items}, headers=_token(farm)
    )


def test_stock_and_prices_change_in_bulk(client, app):
    farm = make_farm()
    first, second = make_product(farm, prices=(100000, 120000)), make_product(farm)
    a, b = first.variants
    c = second.variants[0]

    response = _bulk(
        client,
        farm,
        [
            {"variant_id": a.id, "stock": 3},
            {"variant_id": b.id, "price_vnd": 90000},
            {"variant_id": c.id, "stock": 0, "price_vnd": 200000},
        ],
    )

    db.session.expire_all()
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [a.id, b.id, c.id]
    assert (a.stock, a.price_vnd) == (3, 100000)
    assert (b.stock, b.price_vnd) == (40, 90000)
    assert (c.stock, c.price_vnd) == (0, 200000)
    assert first.price_from_vnd == 90000  # the service keeps the product's lowest price


def test_one_refused_item_changes_nothing_and_is_named_by_index_and_field(client, app):
    farm = make_farm()
    product = make_product(farm, prices=(100000, 120000))
    a, b = product.variants
    before = _snapshot()

    response = _bulk(
        client,
        farm,
        [{"variant_id": a.id, "stock": 5}, {"variant_id": b.id, "price_vnd": 0}],
    )

    assert response.status_code == 422
    assert list(response.get_json()["errors"]["items"]["1"]) == ["price_vnd"]
    assert _snapshot() == before


def test_a_variant_of_another_farm_in_the_list_changes_nothing(client, app):
    farm = make_farm()
    owner = _owner(farm)
    mine = make_product(farm).variants[0]
    theirs = make_product(make_farm(owner=owner)).variants[0]
    before = _snapshot()

    response = _bulk(
        client, farm, [{"variant_id": mine.id, "stock": 1}, {"variant_id": theirs.id, "stock": 1}]
    )

    assert response.status_code == 422
    assert response.get_json()["errors"]["items"]["1"] == {
        "variant_id": [f"Unknown variant: {theirs.id} is not one of this farm's variants."]
    }
    assert _snapshot() == before


def test_a_variant_twice_in_the_list_is_refused(client, app):
    farm = make_farm()
    variant = make_product(farm).variants[0]
    before = _snapshot()

    response = _bulk(
        client,
        farm,
        [{"variant_id": variant.id, "stock": 1}, {"variant_id": variant.id, "stock": 2}],
    )

    assert response.status_code == 422
    assert "variant_id" in response.get_json()["errors"]["items"]["1"]
    assert _snapshot() == before


def test_an_item_that_changes_nothing_is_refused_by_the_schema(client, app):
    farm = make_farm()
    variant = make_product(farm).variants[0]

    response = _bulk(client, farm, [{"variant_id": variant.id}])

    assert response.status_code == 422
    assert "stock" in response.get_json()["errors"]["items"]["0"]


def test_a_longer_list_than_allowed_is_refused(client, app):
    farm = make_farm()
    variant = make_product(farm).variants[0]

    response = _bulk(client, farm, [{"variant_id": variant.id, "stock": 1}] * 501)

    assert response.status_code == 422
    assert "items" in response.get_json()["errors"]


def test_an_expected_value_that_no_longer_holds_is_a_409_and_changes_nothing(client, app):
    farm = make_farm()
    product = make_product(farm, prices=(100000, 120000))
    a, b = product.variants
    before = _snapshot()

    response = _bulk(
        client,
        farm,
        [
            {"variant_id": a.id, "stock": 5, "expected_stock": 40},
            {"variant_id": b.id, "price_vnd": 99000, "expected_price_vnd": 125000},
        ],
    )

    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert list(response.get_json()["errors"]["items"]) == ["1"]
    assert "expected_price_vnd" in response.get_json()["errors"]["items"]["1"]
    assert _snapshot() == before


def test_expected_values_that_hold_let_the_change_through(client, app):
    farm = make_farm()
    variant = make_product(farm).variants[0]

    response = _bulk(
        client,
        farm,
        [
            {
                "variant_id": variant.id,
                "stock": 39,
                "expected_stock": 40,
                "expected_price_vnd": 180000,
            }
        ],
    )

    db.session.expire_all()
    assert response.status_code == 200
    assert variant.stock == 39


# Who may do what --------------------------------------------------------------------------


def _every_operation(farm, product, variant):
    """(method, url, body) of every operation on `farm`'s catalogue."""
    base = _products_url(farm)
    one = _products_url(farm, product.id)
    variants = _products_url(farm, product.id, "variants")
    return [
        ("get", base, None),
        ("post", base, NEW_PRODUCT),
        ("get", one, None),
        ("patch", one, {"name": "Đổi tên"}),
        ("post", f"{one}/publish", None),
        ("post", f"{one}/unpublish", None),
        ("get", variants, None),
        ("post", variants, NEW_VARIANT),
        ("get", f"{variants}/{variant.id}", None),
        ("patch", f"{variants}/{variant.id}", {"stock": 1}),
        ("delete", f"{variants}/{variant.id}", None),
        (
            "patch",
            f"/api/v1/farms/{farm.id}/variants",
            {"items": [{"variant_id": variant.id, "stock": 1}]},
        ),
    ]


def _refused_on_another_farm(client, *, key: bool) -> None:
    mine = make_farm()
    theirs = make_farm()
    product = make_product(theirs, prices=(100000, 120000))
    headers = _token(mine, key=key)
    before = _snapshot()

    for method, url, body in _every_operation(theirs, product, product.variants[0]):
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == 403, (method, url)
        assert response.content_type == "application/problem+json"
    assert _snapshot() == before


# Not parametrized: a function-level parameter next to the session's database one makes
# pytest reorder the tests and build the PostgreSQL application twice.
def test_a_personal_token_does_not_reach_another_farms_catalogue(client, app):
    _refused_on_another_farm(client, key=False)


def test_a_farm_key_does_not_reach_another_farms_catalogue(client, app):
    _refused_on_another_farm(client, key=True)


def test_a_farm_key_does_not_reach_another_farm_of_the_same_owner(client, app):
    farm = make_farm()
    sister = make_farm(owner=_owner(farm))
    product = make_product(sister)
    before = _snapshot()

    headers = _token(farm, key=True)
    for method, url, body in _every_operation(sister, product, product.variants[0]):
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == 403, (method, url)
    assert _snapshot() == before


def test_a_read_only_token_cannot_write(client, app):
    farm = make_farm()
    product = make_product(farm, prices=(100000, 120000))
    headers = _token(farm, {"products:read"})
    before = _snapshot()

    for method, url, body in _every_operation(farm, product, product.variants[0]):
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == (200 if method == "get" else 403), (method, url)
    assert _snapshot() == before


def test_a_token_without_products_read_cannot_read(client, app):
    farm = make_farm()
    make_product(farm)

    response = client.get(_products_url(farm), headers=_token(farm, {"orders:read"}))

    assert response.status_code == 403


def test_a_buyer_who_runs_no_farm_is_refused(client, app):
    farm = make_farm()
    buyer = make_user(Role.BUYER)

    response = client.get(_products_url(farm), headers=bearer(make_token(buyer)))

    assert response.status_code == 403


def test_a_refused_item_reads_in_the_callers_language(client, app):
    farm = make_farm()
    variant = make_product(farm).variants[0]
    headers = bearer(make_token(_owner(farm), {"products:write"}), language="vi")

    response = client.patch(
        f"/api/v1/farms/{farm.id}/variants",
        json={"items": [{"variant_id": variant.id + 1000, "stock": 1}]},
        headers=headers,
    )

    assert response.status_code == 422
    assert response.get_json()["detail"] == "Chưa lưu gì cả: hãy sửa các mục bị từ chối."
    assert response.get_json()["errors"]["items"]["0"]["variant_id"][0].startswith("Không rõ")


def test_the_bulk_service_bounds_its_transaction_for_every_caller(app):
    farm = make_farm()
    variant = make_product(farm).variants[0]
    changes = [VariantChange(variant.id, stock=1)] * (MAX_CHANGES + 1)
    before = _snapshot()

    with pytest.raises(DomainError) as refused:
        change_stock_and_prices(farm, _owner(farm), changes)

    assert refused.value.field == "items"
    assert _snapshot() == before


def test_the_list_runs_as_many_statements_for_many_products_as_for_one(client, app):
    farm = make_farm()
    make_product(farm, prices=(100000, 120000))
    headers = _token(farm, {"products:read"})
    client.get(_products_url(farm), headers=headers)  # warms up the token's last use

    with count_queries() as few:
        assert client.get(_products_url(farm), headers=headers).status_code == 200
    for _ in range(4):
        make_product(farm, prices=(100000, 120000))
    with count_queries() as many:
        response = client.get(_products_url(farm), headers=headers)

    assert len(response.get_json()["items"]) == 5
    assert len(many) == len(few)


def test_a_sale_between_reading_and_writing_the_stock_is_not_overwritten(client, app):
    # Given a program that read the stock (40), then a buyer who took 2 boxes
    farm = deliver_everywhere(make_farm())
    variant = make_product(farm).variants[0]
    headers = _token(farm)
    read = client.get(
        _products_url(farm, variant.product_id, "variants", variant.id), headers=headers
    )
    make_order(variant, quantity=2)
    before = _snapshot()

    # When it sets the stock it counted, expecting what it read
    response = client.patch(
        f"/api/v1/farms/{farm.id}/variants",
        json={
            "items": [
                {"variant_id": variant.id, "stock": 45, "expected_stock": read.get_json()["stock"]}
            ]
        },
        headers=headers,
    )

    # Then the sale stands and the program is told to read again
    assert response.status_code == 409
    assert response.get_json()["errors"]["items"]["0"] == {
        "expected_stock": ["The stock changed meanwhile: it is 38 now."]
    }
    assert _snapshot() == before
