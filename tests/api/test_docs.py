"""/api/v1/docs: the people's documentation, built from the OpenAPI document itself."""

from __future__ import annotations

import re

from api.docs import operations_by_tag
from tests.support.web import page_text


def test_the_page_lists_every_operation_of_the_document(client):
    document = client.get("/api/v1/openapi.json").get_json()

    response = client.get("/api/v1/docs", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert operations
    for method, path in operations:
        assert re.search(
            rf">{method}</span> <code class=\"api-path\">{re.escape(path)}</code>", html
        )
    assert html.count('data-testid="operation"') == len(operations)


def test_an_operation_shows_its_access_body_and_answers(client):
    text = page_text(client.get("/api/v1/docs", headers={"Accept-Language": "en"}))

    assert "The account’s password (HTTP Basic)" in text
    assert "Any valid token" in text
    assert "NewToken" in text and "CreatedToken" in text and "Problem" in text
    for guide in ("Authentication", "Errors and languages", "Pages of a list", "Money and times"):
        assert guide in text


def test_the_scope_an_operation_needs_is_read_from_the_document():
    document = {
        "tags": [{"name": "orders", "description": "A farm's orders"}],
        "paths": {
            "/api/v1/farms/{farm_id}/orders": {
                "parameters": [{"name": "farm_id", "in": "path", "required": True}],
                "get": {
                    "tags": ["orders"],
                    "summary": "The farm's orders",
                    "security": [{"bearerAuth": ["orders:read"]}],
                    "parameters": [{"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/OrderPage"}
                                }
                            }
                        }
                    },
                },
            }
        },
    }

    (group,) = operations_by_tag(document)
    (operation,) = group.operations

    assert (operation.access, operation.scope) == ("token", "orders:read")
    assert [p.name for p in operation.parameters] == ["farm_id", "cursor"]
    assert operation.responses == [("200", "OrderPage")]


def test_the_page_needs_nothing_from_elsewhere_and_no_javascript(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)

    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert 'href="/api/v1/docs/static/api/docs.css' in html
    with client.get("/api/v1/docs/static/api/docs.css") as stylesheet:
        assert stylesheet.status_code == 200


def test_every_page_links_to_the_documentation(client):
    assert 'href="/api/v1/docs"' in client.get("/").get_data(as_text=True)


def test_only_the_schemas_the_operations_use_are_described(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)

    assert 'id="schema-CreatedToken"' in html and 'id="schema-Problem"' in html
    assert "PaginationMetadata" not in html
