"""Configuration comes from the environment, with safe defaults for development."""

import pytest

from app.config import ConfigError, database_url_from_env, development_secret_key, load_config


def test_default_database_is_a_sqlite_file_under_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url_from_env(str(tmp_path)) == f"sqlite:///{tmp_path}/nongsan.sqlite3"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_urls_use_the_psycopg3_driver(monkeypatch, tmp_path, scheme):
    monkeypatch.setenv("DATABASE_URL", f"{scheme}://shop:pw@db.internal:5432/nongsan")
    assert database_url_from_env(str(tmp_path)) == (
        "postgresql+psycopg://shop:pw@db.internal:5432/nongsan"
    )


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("NONGSAN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("NONGSAN_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_development_key_is_generated_once_and_kept(tmp_path):
    first = development_secret_key(str(tmp_path))
    second = development_secret_key(str(tmp_path))
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_rate_limits_are_shared_through_redis_when_configured(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    monkeypatch.delenv("REDIS_URL")
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"


def test_a_malformed_number_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        load_config(str(tmp_path))


@pytest.mark.parametrize(
    "name",
    [
        "BASE_URL",
        "SCAN_RATE_LIMIT",
        "LOGIN_FAILURE_LIMIT",
        "LOGIN_ACCOUNT_LIMIT",
        "API_RATE_LIMIT",
        "API_ANONYMOUS_RATE_LIMIT",
        "MAIL_DEFAULT_SENDER",
        "NONGSAN_ENV",
    ],
)
def test_a_setting_left_empty_means_its_default(monkeypatch, tmp_path, name):
    # compose and systemd environment files often keep a line with no value.
    monkeypatch.delenv(name, raising=False)
    default = load_config(str(tmp_path))
    key = "NONGSAN_ENV" if name == "NONGSAN_ENV" else name
    monkeypatch.setenv(name, "  ")
    assert load_config(str(tmp_path))[key] == default[key] != ""
