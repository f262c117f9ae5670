"""The OpenAPI document as a tested contract: Schemathesis fuzzes every operation, on both
databases, and nothing may end in a server error, break the document's schemas, or be
reached without its token or its scope.

Each operation is a subtest; to run one area, name a path pattern:
`API_CONTRACT_PATHS='^/api/v1/farms' pytest tests/api/test_contract.py --db sqlite`.
Each operation gets MAX_EXAMPLES cases, valid and invalid ones mixed, drawn from a fixed
seed so that CI sees what the author saw; `API_CONTRACT_EXPLORE=1` draws new ones. The path
ids are those of tests/api/contract_world.py two times in three.

Schemathesis' own pytest loader (`from_fixture`) reaches into pytest internals that pytest
9.2 removed; this drives its strategies with Hypothesis directly, which is all it did.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from app.auth.api_tokens import ApiToken, authenticate
from tests.api.contract_world import ContractWorld, build_world
from tests.api.factories import bearer, make_token
from tests.support.snapshots import database_snapshot

MAX_EXAMPLES = 12
#: Operations anyone may call, without a token: the public catalog and traces.
PUBLIC_PREFIXES = ("/api/v1/products", "/api/v1/farms", "/api/v1/trace", "/api/v1/openapi")
_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("API_CONTRACT_EXPLORE"),
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(app) -> ContractWorld:
    return build_world()


@pytest.fixture
def unlimited(app):
    """The fuzzer calls faster than any partner may: lift the per-caller limits for it."""
    names = [name for name in ("API_RATE_LIMIT", "API_ANONYMOUS_RATE_LIMIT") if name in app.config]
    saved = {name: app.config[name] for name in names}
    app.config.update(dict.fromkeys(names, "1000000 per minute"))
    yield
    app.config.update(saved)


def _plain(secret: str) -> dict[str, str]:
    """The token, and an uncompressed answer: Schemathesis' WSGI transport reads the body as
    sent, where an HTTP client would decode its brotli (compression is tested on its own in
    tests/app/test_compression.py)."""
    return {**bearer(secret), "Accept-Encoding": "identity"}


#: A request the document allows may still be refused by a business rule, with a problem:
#: a lot we do not have (404), an order in another state (409), a capture naming no batch of
#: the farm (422). Valid requests must get one of these, never a 400 or a 500.
_ACCEPTED_REFUSALS = {
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422"]
        }
    }
}


def _operations(app):
    config = schemathesis.Config.from_dict(_ACCEPTED_REFUSALS)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    if paths := os.environ.get("API_CONTRACT_PATHS"):
        schema = schema.include(path_regex=paths)
    return [result.ok() for result in schema.get_all_operations()]


def _use_world_ids(case, world: ContractWorld) -> None:
    """Two cases in three ask for a row that exists; the third keeps the fuzzer's value. A case
    whose path is meant to be invalid keeps it: an id below its minimum must stay refused."""
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
        return
    for name, value in (case.path_parameters or {}).items():
        if name in world.ids and hash(str(value)) % 3:
            case.path_parameters[name] = world.ids[name]


def _required_scope(case) -> str | None:
    for requirement in case.operation.definition.raw.get("security") or []:
        for scopes in requirement.values():
            return scopes[0] if scopes else None
    return None


def _keeps_its_contract(case, world: ContractWorld) -> None:
    _use_world_ids(case, world)
    secret, held = world.tokens[world.role_for(case.path)]
    if case.method.upper() == "DELETE" and case.path == "/api/v1/token":
        # Revoking the calling token must not revoke the one every other operation uses.
        secret = make_token(authenticate(secret).user, held, name="revoked by the run")

    response = case.call_and_validate(headers=_plain(secret))

    scope = _required_scope(case)
    # Schemathesis also sends methods the operation does not take (OPTIONS, which Flask
    # answers itself, before any scope check): those say nothing about the scope.
    own_method = case.method.upper() == case.operation.method.upper()
    if scope and own_method and 200 <= response.status_code < 300 and held - {scope}:
        # The same call by the same person with a token lacking just that scope is refused.
        lacking = make_token(authenticate(secret).user, held - {scope}, name="lacking")
        refused = case.call(headers=_plain(lacking))
        assert refused.status_code == 403, (case.method, case.path, scope)
    if scope and own_method and 200 <= response.status_code < 300:
        _cannot_reach_anothers_rows(case, world, secret)


def _cannot_reach_anothers_rows(case, world: ContractWorld, secret: str) -> None:
    """The same call, with the path naming another farm's (or buyer's) rows, is refused."""
    names = [name for name in case.path_parameters or {} if name in world.foreign_ids]
    if not names or world.role_for(case.path) == "operator":
        return  # the country's operator reaches every farm; provinces have their own tests
    if names == ["province_code"]:
        return  # a province is nobody's row
    for name in names:
        case.path_parameters[name] = world.foreign_ids[name]
    before = database_snapshot(excluding=[ApiToken])
    refused = case.call(headers=_plain(secret))
    assert refused.status_code in (403, 404), (case.method, case.path, refused.status_code)
    assert database_snapshot(excluding=[ApiToken]) == before, (case.method, case.path)


def test_every_operation_keeps_its_contract(app, world, unlimited, subtests):
    for operation in _operations(app):
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @_SETTINGS
        @given(case=strategy)
        def keeps_its_contract(case):
            _keeps_its_contract(case, world)

        with subtests.test(operation=operation.label):
            keeps_its_contract()


def test_the_document_validates_and_every_private_operation_names_a_scope(client):
    document = client.get("/api/v1/openapi.json").get_json()

    validate(document)
    unguarded = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        # A path's own `parameters` list sits beside its operations.
        if method != "parameters"
        if not path.startswith(PUBLIC_PREFIXES) and not operation.get("security")
    ]
    assert unguarded == []


def test_every_path_parameter_meets_a_real_row(client, world):
    """A path parameter the world has no row for is only ever fuzzed into 404s."""
    document = client.get("/api/v1/openapi.json").get_json()

    names = {
        parameter["name"]
        for operations in document["paths"].values()
        for key, operation in operations.items()
        for parameter in (operation if key == "parameters" else operation.get("parameters", []))
        if parameter["in"] == "path"
    }
    assert names - set(world.ids) == set()
