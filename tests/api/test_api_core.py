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
