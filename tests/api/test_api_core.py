"""The API's frame: tokens, problems in the caller's language, the document."""

from __future__ import annotations

from datetime import timedelta

from openapi_spec_validator import validate

from app.auth.api_tokens import ApiToken, authenticate, revoke_token
from app.auth.roles import Role
from app.db import utcnow
from app.extensions import db
from tests.api.factories import bearer, make_token
from tests.app.factories import make_user


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_a_token_reads_itself(client, app):
    user = make_user(Role.FARMER)
    secret = make_token(user, {"orders:read"})

    response = client.get("/api/v1/token", headers=bearer(secret))

    assert response.status_code == 200
    assert response.get_json()["scopes"] == ["orders:read"]
    assert response.get_json()["user_id"] == user.id
    assert response.get_json()["expires_at"].endswith("Z")


def test_no_token_is_a_401_problem_in_the_callers_language(client):
    response = client.get("/api/v1/token", headers={"Accept-Language": "vi"})

    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert body["status"] == 401
    assert body["title"] == "Cần xác thực"
    assert "mã truy cập" in body["detail"]


def test_a_session_cookie_is_not_an_api_credential(client, app):
    from tests.app.factories import log_in

    user = make_user(Role.FARMER)
    log_in(client, user.email)

    assert client.get("/api/v1/token").status_code == 401


def test_a_revoked_or_expired_token_is_refused(client, app):
    user = make_user(Role.FARMER)
    revoked = make_token(user)
    token_id = authenticate(revoked).token_id
    revoke_token(user, token_id)
    expired = make_token(user, lifetime=timedelta(seconds=1))

    assert client.get("/api/v1/token", headers=bearer(revoked)).status_code == 401
    assert authenticate(expired, now=utcnow() + timedelta(seconds=2)) is None


def test_only_the_digest_of_the_secret_is_stored(app):
    user = make_user(Role.FARMER)
    secret = make_token(user)

    stored = db.session.scalars(db.select(ApiToken)).one()
    assert secret not in (stored.secret_sha256, stored.hint)
    assert secret.startswith(stored.hint)


def test_an_unknown_path_or_method_is_a_problem(client):
    missing = client.get("/api/v1/no-such-thing")
    wrong_method = client.put("/api/v1/token")

    assert (missing.status_code, missing.content_type) == (404, "application/problem+json")
    assert wrong_method.status_code == 405
    assert wrong_method.content_type == "application/problem+json"


def test_html_pages_keep_their_html_errors(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.content_type.startswith("text/html")


def test_a_bad_cursor_is_a_422_naming_the_field(app):
    from api.paging import decode_cursor
    from app.errors import DomainError

    try:
        decode_cursor("%%%not-base64")
    except DomainError as error:
        assert error.field == "cursor"
    else:
        raise AssertionError("a cursor the API never gave was accepted")


def test_marshmallows_messages_reach_a_vietnamese_caller_in_vietnamese(app):
    from flask_babel import force_locale

    from api.messages import in_callers_language

    with app.test_request_context("/api/v1/token"), force_locale("vi"):
        assert in_callers_language("Not a valid integer.") == "Không phải là số nguyên hợp lệ."
        ranged = "Must be greater than or equal to 1 and less than or equal to 200."
        assert in_callers_language(ranged) == "Phải từ 1 đến 200."
        assert in_callers_language("Something of our own.") == "Something of our own."


def test_a_token_lists_the_farms_it_reaches(client, app):
    from tests.farms.factories import make_farm

    farmer = make_user(Role.FARMER)
    first, second = make_farm(farmer), make_farm(farmer)
    make_farm()  # someone else's
    personal = make_token(farmer, {"orders:read"})
    farm_key = make_token(farmer, {"orders:read"}, farm=second)

    everything = client.get("/api/v1/me/farms", headers=bearer(personal)).get_json()
    one = client.get("/api/v1/me/farms", headers=bearer(farm_key)).get_json()

    assert sorted(farm["id"] for farm in everything) == sorted([first.id, second.id])
    assert [farm["id"] for farm in one] == [second.id]


def test_a_body_that_is_not_json_is_a_422_problem(client, app):
    from tests.farms.factories import make_farm

    farmer = make_user(Role.FARMER)
    farm = make_farm(farmer)
    secret = make_token(farmer, {"batches:write"})

    response = client.post(
        f"/api/v1/farms/{farm.id}/batches",
        data=b"\x80 not json",
        headers={**bearer(secret, "vi"), "Content-Type": "application/json"},
    )

    assert response.status_code in (400, 422)
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"] == {
        "json": ["Nội dung gửi lên không phải là JSON hợp lệ."]
    }


def test_a_misspelt_query_parameter_is_refused_not_ignored(client, app):
    response = client.get("/api/v1/products?catgory=fruit", headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "catgory": ["This field is not one the operation takes."]
    }


def test_a_refused_call_does_not_note_the_tokens_use(client, app):
    from tests.support.snapshots import database_snapshot

    user = make_user(Role.FARMER)
    secret = make_token(user, {"orders:read"})
    before = database_snapshot()

    refused = client.get("/api/v1/farms/999999/orders", headers=bearer(secret))

    assert refused.status_code == 404
    assert database_snapshot() == before
    assert client.get("/api/v1/token", headers=bearer(secret)).status_code == 200
    assert db.session.scalars(db.select(ApiToken)).one().last_used_at is not None


def test_a_farm_key_on_another_farm_is_told_whose_key_it_is(client, app):
    from tests.farms.factories import make_farm

    farmer = make_user(Role.FARMER)
    own, sister = make_farm(farmer), make_farm(farmer)
    key = make_token(farmer, {"orders:read"}, farm=own)

    response = client.get(f"/api/v1/farms/{sister.id}/orders", headers=bearer(key))

    assert response.status_code == 403
    assert response.get_json()["detail"] == "This key belongs to another farm."
