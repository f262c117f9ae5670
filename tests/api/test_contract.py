"""The OpenAPI document as a tested contract: Schemathesis fuzzes every operation, on both
databases, and nothing may end in a server error, break the document's schemas, or be
reached without its token or its scope.

Every operation is a subtest of one test; to run one area, name a path pattern:
`API_CONTRACT_PATHS='^/api/v1/farms' pytest tests/api/test_contract.py --db sqlite`.
Each operation gets MAX_EXAMPLES cases, valid and invalid; the path ids are those of
tests/api/contract_world.py most of the time.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from tests.api.contract_world import ContractWorld, build_world
from tests.api.factories import bearer, make_token

MAX_EXAMPLES = 12
#: Operations anyone may call, without a token: the public catalog and traces.
PUBLIC_PREFIXES = ("/api/v1/products", "/api/v1/farms", "/api/v1/trace", "/api/v1/openapi")


@pytest.fixture
def world(app) -> ContractWorld:
    return build_world()


@pytest.fixture
def api_schema(app, world):
    config = schemathesis.Config.from_dict({"generation": {"max-examples": MAX_EXAMPLES}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    if paths := os.environ.get("API_CONTRACT_PATHS"):
        schema = schema.include(path_regex=paths)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


def _use_world_ids(case, world: ContractWorld) -> None:
    """Two cases in three ask for a row that exists; the third keeps the fuzzer's value."""
    for name, value in (case.path_parameters or {}).items():
        if name in world.ids and hash(str(value)) % 3:
            case.path_parameters[name] = world.ids[name]


def _required_scope(case) -> str | None:
    for requirement in case.operation.definition.raw.get("security") or []:
        for scopes in requirement.values():
            return scopes[0] if scopes else None
    return None


@schema.parametrize()
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_every_operation_keeps_its_contract(case, world, app):
    _use_world_ids(case, world)
    secret, held = world.tokens[world.role_for(case.path)]

    response = case.call_and_validate(headers=bearer(secret))

    scope = _required_scope(case)
    # Schemathesis also sends methods the operation does not take (OPTIONS, which Flask
    # answers itself, before any scope check): those say nothing about the scope.
    own_method = case.method.upper() == case.operation.method.upper()
    if scope and own_method and 200 <= response.status_code < 300:
        # The same call with a token of the same person lacking just that scope is refused.
        user_token = held - {scope}
        if user_token:
            from app.auth.api_tokens import authenticate

            person = authenticate(secret).user
            lacking = make_token(person, user_token, name="lacking")
            refused = case.call(headers=bearer(lacking))
            assert refused.status_code == 403, (case.method, case.path, scope)


def test_the_document_validates_and_every_private_operation_names_a_scope(client):
    document = client.get("/api/v1/openapi.json").get_json()

    validate(document)
    unguarded = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not path.startswith(PUBLIC_PREFIXES) and not operation.get("security")
    ]
    assert unguarded == []
