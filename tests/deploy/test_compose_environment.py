"""The settings compose.yaml and .env.example give the application: each one is a variable the
application reads, every variable it reads is either set or deliberately left out, the
required ones cannot be forgotten, and the result is a configuration the app accepts."""

from __future__ import annotations

import os

import pytest

from app.config import load_config
from tests.deploy.files import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    READ_BY_LIBRARIES,
    app_image_services,
    environment_of,
    load_compose,
    read_env_file,
    render_compose,
    variables_in_document,
    variables_the_app_reads,
)

#: Read by the app but not set by compose, and why.
LEFT_OUT = {
    "JOBS_IMMEDIATE": "tests only: jobs run inside the request",
    "MEDIA_ROOT": "the local upload folder; compose stores uploads in MinIO",
    "DATABASE_BEHIND_PGBOUNCER": "compose connects straight to PostgreSQL, no PgBouncer",
    "WEBHOOKS_ALLOW_LOCAL": "development only: production never sends webhooks to local hosts",
}
#: What a multi-instance production deployment cannot run without.
REQUIRED = {
    "NONGSAN_ENV": "production",
    "SECRET_KEY": None,
    "BASE_URL": None,
    "DATABASE_URL": None,
    "REDIS_URL": None,
    "TRUSTED_PROXIES": None,
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": None,
    "S3_ENDPOINT_URL": None,
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
}
#: The secrets .env must provide: compose refuses to start without them.
SECRETS = {
    "SECRET_KEY",
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "MINIO_ROOT_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
}


#: What .env.example leaves empty and compose refuses to start without: the secrets, and the
#: public address (printed in every QR label, so never a made-up default).
MUST_FILL = SECRETS | {"BASE_URL"}


def _filled(name: str, value: str) -> str:
    if value or name not in MUST_FILL:
        return value
    return "https://nongsanso.example" if name == "BASE_URL" else f"{name.lower()}-0123abcd"


def _filled_example() -> dict[str, str]:
    """.env.example with its empty settings filled in, as an operator would."""
    return {name: _filled(name, value) for name, value in read_env_file(ENV_EXAMPLE).items()}


def _app_environments(settings: dict[str, str]) -> dict[str, dict[str, str]]:
    rendered, unset = render_compose(settings)
    assert unset == []
    return {name: environment_of(s) for name, s in app_image_services(rendered).items()}


def test_the_app_image_runs_as_web_instances_worker_and_migrations():
    assert set(app_image_services(load_compose())) == {"app1", "app2", "worker", "migrate"}


def test_every_variable_given_to_the_app_is_one_it_reads():
    reads = variables_the_app_reads() | set(READ_BY_LIBRARIES)
    for name, service in app_image_services(load_compose()).items():
        unknown = set(environment_of(service)) - reads
        assert unknown == set(), f"{name} sets variables the application never reads"


def test_every_variable_the_app_reads_is_set_or_deliberately_left_out():
    reads = variables_the_app_reads()
    for name, service in app_image_services(load_compose()).items():
        not_set = reads - set(environment_of(service))
        assert not_set == set(LEFT_OUT), f"{name}: add these to x-app in compose.yaml"


def test_the_libraries_variables_are_documented_where_the_app_reads_its_settings():
    config_source = (COMPOSE_FILE.parent / "app" / "config.py").read_text(encoding="utf-8")
    for name in READ_BY_LIBRARIES:
        assert name in config_source


def test_every_required_setting_is_set_in_every_app_container():
    for name, environment in _app_environments(_filled_example()).items():
        for variable, expected in REQUIRED.items():
            assert environment.get(variable), f"{name} leaves {variable} empty"
            if expected is not None:
                assert environment[variable] == expected


def test_every_example_variable_is_used_by_compose_and_every_compose_variable_is_in_it():
    example = read_env_file(ENV_EXAMPLE)
    referenced = variables_in_document(load_compose())
    assert set(example) == set(referenced)


def test_an_example_variable_reaches_the_app_under_its_own_name_or_a_service():
    """Each .env.example line is either an app setting or a password a service needs."""
    reads = variables_the_app_reads() | set(READ_BY_LIBRARIES)
    compose = load_compose()
    app_services = app_image_services(compose)
    other_services = {n: s for n, s in compose["services"].items() if n not in app_services}
    for name in read_env_file(ENV_EXAMPLE):
        reaches_app = name in reads and any(
            name in environment_of(s) for s in app_services.values()
        )
        used_by_service = any(
            name in variables_in_document(service) for service in other_services.values()
        )
        assert reaches_app or used_by_service, name


@pytest.mark.parametrize("setting", sorted(MUST_FILL))
def test_compose_refuses_to_start_while_a_secret_or_the_address_is_empty(setting):
    settings = _filled_example()
    settings[setting] = ""
    _, unset = render_compose(settings)
    assert unset == [setting]
    assert read_env_file(ENV_EXAMPLE)[setting] == "", "no value of it in .env.example"


def _config_from(environment: dict[str, str], instance_path) -> dict:
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(environment)
        return load_config(str(instance_path))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_app_accepts_the_configuration_compose_gives_it(tmp_path):
    settings = _filled_example()
    for name, environment in _app_environments(settings).items():
        config = _config_from(environment, tmp_path)
        assert config["NONGSAN_ENV"] == "production"
        assert config["SECRET_KEY"] == settings["SECRET_KEY"]
        assert config["SQLALCHEMY_DATABASE_URI"] == (
            f"postgresql+psycopg://nongsan:{settings['POSTGRES_PASSWORD']}@db:5432/nongsan"
        )
        # Rate limits, the page cache and the job queue are shared by every instance.
        assert config["RATELIMIT_STORAGE_URI"] == (
            f"redis://:{settings['REDIS_PASSWORD']}@redis:6379/0"
        )
        assert config["STORAGE_BACKEND"] == "s3"
        assert config["S3_BUCKET"] == settings["S3_BUCKET"]
        assert config["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert config["TRUSTED_PROXIES"] == 1
        assert config["BASE_URL"] == settings["BASE_URL"]
        assert config["SESSION_COOKIE_SECURE"] is True, name


def test_a_setting_left_empty_in_env_means_the_apps_default(tmp_path):
    """Every setting .env.example leaves empty reaches the app as its default: an empty login
    limit or sender must never silently replace it."""
    settings = _filled_example()
    environment = _app_environments(settings)["app1"]
    config = _config_from(environment, tmp_path)
    left_empty = {name for name, value in read_env_file(ENV_EXAMPLE).items() if value == ""}
    passed_through = (left_empty - MUST_FILL) & set(environment)
    defaults = _config_from(
        {n: v for n, v in environment.items() if n not in passed_through}, tmp_path
    )
    differing = {key for key in config if config[key] != defaults[key]}
    assert differing == set()
