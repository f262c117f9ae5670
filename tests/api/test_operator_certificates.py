"""/api/v1/operator/certifications and /ocop-certificates: what waits for a check or expires
soon, of the operator's scope, and the verification through the admin pages' services."""

from __future__ import annotations

from datetime import timedelta

from app.auth.api_tokens import ApiToken
from app.clock import local_today
from app.extensions import db
from products import services as products
from tests.api.operator_support import (
    READ,
    country_operator,
    headers_of,
    province_operator,
    two_provinces_farms,
)
from tests.farms.factories import make_certification
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def _ocop(farm, **overrides):
    product = make_product(farm, publish=False)
    fields = {"stars": 4, "decision_number": "QĐ-123/UBND", "decision_date": local_today()}
    fields.update(overrides)
    return products.set_ocop(product, farm.members[0].user, **fields)


def _soon():
    today = local_today()
    return {"issued_on": today - timedelta(days=700), "expires_on": today + timedelta(days=30)}


def test_pending_and_expiring_farm_certificates_of_the_province(client, app):
    ours, theirs = two_provinces_farms()
    verifier = country_operator()
    pending = make_certification(ours)
    expiring = make_certification(ours, verified_by=verifier, **_soon())
    make_certification(ours, verified_by=verifier)  # verified, two years to run
    make_certification(theirs)
    headers = headers_of(province_operator(), READ)

    waiting = client.get("/api/v1/operator/certifications", headers=headers)
    soon = client.get("/api/v1/operator/certifications?state=expiring", headers=headers)

    assert _ids(waiting) == [pending.id]
    assert _ids(soon) == [expiring.id]
    assert waiting.get_json()["items"][0]["farm_name"] == ours.name


def test_an_operator_verifies_a_farm_certificate_once(client, app):
    ours, _ = two_provinces_farms()
    certification = make_certification(ours)
    operator = province_operator()
    headers = headers_of(operator)
    path = f"/api/v1/operator/certifications/{certification.id}/verification"

    verified = client.post(path, json={"decision": "verify"}, headers=headers)
    before = database_snapshot()
    again = client.post(path, json={"decision": "verify"}, headers=headers)

    assert verified.status_code == 200 and verified.get_json()["verified_at"].endswith("Z")
    db.session.refresh(certification)
    assert certification.verified_by_id == operator.id
    assert again.status_code == 409
    assert again.get_json()["detail"] == "This has been verified already."
    assert database_snapshot() == before


def test_another_provinces_certificate_is_neither_listed_nor_verified(client, app):
    _, theirs = two_provinces_farms()
    certification = make_certification(theirs)
    ocop = _ocop(theirs)
    headers = headers_of(province_operator())
    # The lists read in between answer 200 and note the token's use: that row may change.
    before = database_snapshot(excluding=[ApiToken])

    listed = client.get("/api/v1/operator/certifications", headers=headers)
    listed_ocop = client.get("/api/v1/operator/ocop-certificates", headers=headers)
    verify = client.post(
        f"/api/v1/operator/certifications/{certification.id}/verification",
        json={"decision": "verify"},
        headers=headers,
    )
    verify_ocop = client.post(
        f"/api/v1/operator/ocop-certificates/{ocop.id}/verification",
        json={"decision": "verify"},
        headers=headers,
    )

    assert _ids(listed) == [] and _ids(listed_ocop) == []
    assert (verify.status_code, verify_ocop.status_code) == (404, 404)
    assert database_snapshot(excluding=[ApiToken]) == before


def test_pending_and_expiring_ocop_decisions(client, app):
    ours, _ = two_provinces_farms()
    pending = _ocop(ours, stars=5)
    today = local_today()
    expiring = _ocop(
        ours, decision_date=today - timedelta(days=400), expires_on=today + timedelta(days=10)
    )
    products.verify_ocop(expiring, country_operator())
    headers = headers_of(province_operator(), READ)

    waiting = client.get("/api/v1/operator/ocop-certificates", headers=headers)
    soon = client.get("/api/v1/operator/ocop-certificates?state=expiring", headers=headers)

    assert _ids(waiting) == [pending.id]
    assert waiting.get_json()["items"][0]["level"] == "ministry"
    assert _ids(soon) == [expiring.id]


def test_an_operator_verifies_an_ocop_decision_once(client, app):
    ours, _ = two_provinces_farms()
    certificate = _ocop(ours)
    headers = headers_of(province_operator())
    path = f"/api/v1/operator/ocop-certificates/{certificate.id}/verification"

    verified = client.post(path, json={"decision": "verify"}, headers=headers)
    before = database_snapshot()
    again = client.post(path, json={"decision": "verify"}, headers=headers)

    assert verified.status_code == 200
    assert verified.get_json()["product_name"] == certificate.product.name
    assert again.status_code == 409
    assert database_snapshot() == before


def test_a_read_only_token_cannot_verify_a_certificate(client, app):
    ours, _ = two_provinces_farms()
    certification = make_certification(ours)
    headers = headers_of(province_operator(), READ)
    before = database_snapshot()

    response = client.post(
        f"/api/v1/operator/certifications/{certification.id}/verification",
        json={"decision": "verify"},
        headers=headers,
    )

    assert response.status_code == 403
    assert database_snapshot() == before
