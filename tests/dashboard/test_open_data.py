"""The open data: aggregate figures per province and month for anyone, valid against the
JSON Schema it publishes, counted by hand from the demo's story, with no personal data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from freezegun import freeze_time
from jsonschema import Draft202012Validator

from dashboard.open_data import schema
from tests.dashboard.scenario import LATER, load_demo_story


@pytest.fixture
def story(app):
    load_demo_story(app)


def _get(client, path):
    with freeze_time(LATER, tick=True):  # "today" is 10 April 2027 in the story
        return client.get(path)


def test_the_json_validates_against_its_published_schema(story, client):
    response = _get(client, "/open-data/figures.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    published = _get(client, "/open-data/figures.schema.json").get_json(force=True)
    assert published == schema()
    Draft202012Validator.check_schema(published)
    validator = Draft202012Validator(published, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(response.get_json()))
    assert errors == []


def test_the_records_match_the_hand_counts(story, client):
    records = _get(client, "/open-data/figures.json?province=19").get_json()["records"]
    # Thái Nguyên: HTX Chè Tân Cương, its two teas, batches and labels. Its orders and money
    # are its own (one seller): null (the dashboard's own counts are in test_hand_counts).
    assert records == [
        {
            "province_code": "19",
            "province_name": "Thái Nguyên",
            "month": "2027-03",
            "households_selling": 0,
            "cooperatives_selling": 1,
            "products_listed": 2,
            "ocop_products": 2,
            "orders": None,
            "transactions_paid": None,
            "revenue_vnd": None,
            "batches_recorded": 3,
            "labels_issued": 72,
            "label_scans": 0,
            "recalls": 0,
            "farms_verified": 1,
        },
        {
            "province_code": "19",
            "province_name": "Thái Nguyên",
            "month": "2027-04",
            "households_selling": 0,
            "cooperatives_selling": 1,  # a stock: still selling
            "products_listed": 2,
            "ocop_products": 2,
            "orders": None,
            "transactions_paid": None,
            "revenue_vnd": None,
            "batches_recorded": 0,
            "labels_issued": 0,
            "label_scans": 0,
            "recalls": 0,
            "farms_verified": 0,
        },
    ]
    everyone = _get(client, "/open-data/figures.json").get_json()["records"]
    assert {(r["province_code"], r["month"]) for r in everyone} == {
        (code, month) for code in ("08", "19", "31") for month in ("2027-03", "2027-04")
    }
    hai_phong_april = next(
        r for r in everyone if r["province_code"] == "31" and r["month"] == "2027-04"
    )
    assert hai_phong_april["label_scans"] == 2 and hai_phong_april["households_selling"] == 2


def test_a_provinces_money_is_published_only_where_enough_businesses_sell(
    story, client, monkeypatch
):
    # With the threshold at 2: Hải Phòng's two households are published, Thái Nguyên's one
    # cooperative (7 orders, 1,445,000 ₫ in March, by the hand count) is not.
    import dashboard.confidentiality as confidentiality
    import dashboard.open_data as open_data

    monkeypatch.setattr(confidentiality, "MIN_SELLERS_SHOWN", 2)
    records = {
        (r["province_code"], r["month"]): r
        for r in _get(client, "/open-data/figures.json").get_json()["records"]
    }
    assert records[("31", "2027-04")]["households_selling"] == 2
    assert records[("31", "2027-04")]["orders"] is not None
    thai_nguyen = records[("19", "2027-03")]
    assert thai_nguyen["cooperatives_selling"] + thai_nguyen["households_selling"] == 1
    assert [thai_nguyen[f] for f in open_data.CONFIDENTIAL] == [None, None, None]
    csv_text = _get(client, "/open-data/figures.csv?province=19").get_data(as_text=True)
    assert "1445000" not in csv_text


def test_no_personal_data_leaves(story, client):
    text = _get(client, "/open-data/figures.json").get_data(as_text=True)
    text += _get(client, "/open-data/figures.csv").get_data(as_text=True)
    for personal in ("Lê Minh Anh", "Võ Thị Thu", "0987000202", "minhanh@", "Hàng Bạc", "NS0"):
        assert personal not in text


def test_the_csv_has_the_same_records(story, client):
    response = _get(client, "/open-data/figures.csv?province=19")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["province_code", "province_name", "month", "households_selling"]
    assert [row[2] for row in rows[1:]] == ["2027-03", "2027-04"]
    assert rows[1][rows[0].index("labels_issued")] == "72"
    assert rows[1][rows[0].index("revenue_vnd")] == ""  # one seller: confidential


def test_an_unknown_province_is_a_clear_400(story, client):
    response = _get(client, "/open-data/figures.json?province=%3Dcmd")
    assert response.status_code == 400
    assert response.get_json() == {"error": "Không có tỉnh, thành phố “=cmd”."}


def test_anyone_may_cache_it_and_portals_find_it(story, client):
    response = _get(client, "/open-data/figures.json")
    assert "public" in response.headers["Cache-Control"] and response.headers.get("ETag")
    catalog = json.loads(_get(client, "/open-data/catalog.jsonld").get_data(as_text=True))
    dataset = catalog["dcat:dataset"][0]
    assert dataset["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {d["dcat:mediaType"] for d in dataset["dcat:distribution"]} == {
        "application/json",
        "text/csv",
    }
    page = _get(client, "/open-data").get_data(as_text=True)
    assert "CC BY 4.0" in page and "Dữ liệu mở" in page
