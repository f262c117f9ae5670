"""compose.yaml against the Compose Specification's JSON Schema.

The schema is the copy check-jsonschema vendors (check_jsonschema/builtin_schemas/vendor/
compose-spec.json, Apache-2.0, from the compose-spec repository), installed with the test
extras: there is no network during the tests.
"""

from __future__ import annotations

import importlib.metadata
import json

import pytest
from jsonschema import Draft202012Validator

from tests.deploy.files import ENV_EXAMPLE, load_compose, read_env_file, render_compose
from tests.support.requirements import missing

SCHEMA_IN_PACKAGE = "check_jsonschema/builtin_schemas/vendor/compose-spec.json"


@pytest.fixture(scope="module")
def compose_validator() -> Draft202012Validator:
    try:
        distribution = importlib.metadata.distribution("check-jsonschema")
    except importlib.metadata.PackageNotFoundError:
        missing("check-jsonschema (the Compose schema)", "pip install -e '.[test]'")
    schema = json.loads(distribution.locate_file(SCHEMA_IN_PACKAGE).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(validator: Draft202012Validator, document: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_compose_file_as_written_follows_the_specification(compose_validator):
    assert _errors(compose_validator, load_compose()) == []


def test_compose_file_with_the_example_settings_follows_the_specification(compose_validator):
    settings = {name: value or "filled-in" for name, value in read_env_file(ENV_EXAMPLE).items()}
    rendered, unset = render_compose(settings)
    assert unset == []
    assert _errors(compose_validator, rendered) == []


def test_the_schema_catches_a_mistake(compose_validator):
    """The validator is the strict one: a misspelt key or a wrong condition is refused."""
    document = load_compose()
    document["services"]["app1"]["depends_on"]["db"]["condition"] = "service_ready"
    document["services"]["worker"]["restart_policy"] = "always"
    errors = _errors(compose_validator, document)
    assert any("services/app1/depends_on" in error for error in errors), errors
    assert any("restart_policy" in error for error in errors), errors
