"""Configuration read from the environment (see the README's table of variables)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

#: Like Django's INSTALLED_APPS. demo only adds `nongsan seed-demo`, which refuses production.
DOMAIN_PACKAGES = ("farms", "products", "orders", "traceability", "dashboard", "api", "demo")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def database_url_from_env(instance_path: str) -> str:
    """DATABASE_URL with the psycopg 3 driver, or a SQLite file under the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "nongsan.sqlite3")
    # Hosting platforms hand out postgres:// or postgresql:// URLs; we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(database_url: str) -> dict[str, object]:
    """SQLAlchemy engine options. Behind PgBouncer in transaction mode a server connection
    serves other clients between transactions, so the statements psycopg prepares on it
    (after 5 runs of one statement) collide or vanish: DATABASE_BEHIND_PGBOUNCER turns
    server-side preparing off (PgBouncer before 1.21 cannot track prepared statements)."""
    options: dict[str, object] = {"pool_pre_ping": True}
    if database_url.startswith("postgresql") and _bool("DATABASE_BEHIND_PGBOUNCER", False):
        options["connect_args"] = {"prepare_threshold": None}
    return options


def development_secret_key(instance_path: str) -> str:
    """A key generated once and kept under instance/, so sessions survive restarts.

    Created with O_EXCL so that several workers starting together agree on one key.
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_hex(32)
        handle.write(key)
    return key


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _text(name: str, default: str) -> str:
    """A setting's text; left empty (as compose and systemd files often leave a line) it
    means the default, never an empty limit or sender."""
    return os.environ.get(name, "").strip() or default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc


def load_config(instance_path: str) -> dict[str, object]:
    """Everything the application reads from the environment, as Flask config keys."""
    env = _text("NONGSAN_ENV", "development").lower()
    production = env == "production"
    secret_key = os.environ.get("SECRET_KEY", "").strip()
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set when NONGSAN_ENV=production")
        secret_key = development_secret_key(instance_path)

    database_url = database_url_from_env(instance_path)
    redis_url = os.environ.get("REDIS_URL", "").strip()
    mail_server = os.environ.get("MAIL_SERVER", "").strip()
    return {
        "NONGSAN_ENV": env,
        # The packages the factory installs, in this order: each one's init_app(app) registers
        # its blueprints, commands and hooks (app/ itself imports none of them).
        "DOMAIN_PACKAGES": DOMAIN_PACKAGES,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        "BASE_URL": _text("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "REDIS_URL": redis_url,
        # Rate-limit counters: shared by all workers through Redis when it is configured.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Seconds an anonymous visitor's catalog page may be served to the next visitor.
        "PAGE_CACHE_SECONDS": _int("PAGE_CACHE_SECONDS", 30),
        # Seconds a browser or proxy may keep a page every visitor sees alike (app/http_cache.py).
        "HTTP_CACHE_SECONDS": _int("HTTP_CACHE_SECONDS", 30),
        # Brotli/gzip by the application itself (app/compression.py), so `make run` and a bare
        # gunicorn send compressed pages; NONGSAN_COMPRESS=off when a proxy in front does it.
        "COMPRESS_RESPONSES": _bool("NONGSAN_COMPRESS", True),
        # A label scanned more often than this may have been copied: the trace page says so.
        "LABEL_SCAN_WARNING_THRESHOLD": _int("LABEL_SCAN_WARNING_THRESHOLD", 20),
        # Label scans one client address may make (each one is counted and logged).
        "SCAN_RATE_LIMIT": _text("SCAN_RATE_LIMIT", "120 per minute"),
        # Calls to /api/v1 one account's personal tokens, or one farm's keys, may make
        # (api/rate_limits.py), and one client address without a valid token.
        "API_RATE_LIMIT": _text("API_RATE_LIMIT", "600 per minute"),
        "API_ANONYMOUS_RATE_LIMIT": _text("API_ANONYMOUS_RATE_LIMIT", "120 per minute"),
        # Wrong passwords one client address may send (any accounts).
        "LOGIN_FAILURE_LIMIT": _text("LOGIN_FAILURE_LIMIT", "5 per 15 minutes"),
        # Wrong passwords for one account from browsers it never logged in from; the waits
        # grow. Its owner's own devices are not held up (app/auth/devices.py).
        "LOGIN_ACCOUNT_LIMIT": _text(
            "LOGIN_ACCOUNT_LIMIT", "5 per 15 minutes; 10 per hour; 20 per day"
        ),
        # Mail: SMTP when MAIL_SERVER is set, otherwise messages are written to the log.
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": _text("MAIL_DEFAULT_SENDER", "Nông Sản Số <no-reply@nongsan.local>"),
        # Background jobs run in the request instead of the worker (tests).
        "JOBS_IMMEDIATE": _bool("JOBS_IMMEDIATE", False),
        # The outbox (app/messaging): attempts before a message is given up and shown to
        # operators, the first wait between attempts (it doubles), and how long a worker's
        # claim on a message lasts before another worker takes it over.
        "MESSAGE_MAX_ATTEMPTS": _int("MESSAGE_MAX_ATTEMPTS", 8),
        "MESSAGE_RETRY_BASE_SECONDS": _int("MESSAGE_RETRY_BASE_SECONDS", 60),
        "MESSAGE_LEASE_SECONDS": _int("MESSAGE_LEASE_SECONDS", 600),
        # Zalo Notification Service: the OA's access token and the approved template of each
        # kind of message ("order_placed=231230,password_code=231231"). Unset: Zalo messages
        # stay in the outbox.
        "ZALO_ZNS_ACCESS_TOKEN": os.environ.get("ZALO_ZNS_ACCESS_TOKEN", "").strip(),
        "ZALO_ZNS_TEMPLATES": os.environ.get("ZALO_ZNS_TEMPLATES", "").strip(),
        "ZALO_ZNS_URL": os.environ.get("ZALO_ZNS_URL", "").strip(),
        # Brandname SMS through eSMS.vn. Unset: SMS stay in the outbox.
        "ESMS_API_KEY": os.environ.get("ESMS_API_KEY", "").strip(),
        "ESMS_SECRET_KEY": os.environ.get("ESMS_SECRET_KEY", "").strip(),
        "ESMS_BRANDNAME": os.environ.get("ESMS_BRANDNAME", "").strip(),
        "ESMS_URL": os.environ.get("ESMS_URL", "").strip(),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=1),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Card payments through Stripe Checkout: offered only when both keys are set.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", "").strip(),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip(),
        #: Percent of card payments the platform keeps; 0 by default.
        "PLATFORM_COMMISSION_PERCENT": _int("PLATFORM_COMMISSION_PERCENT", 0),
        # Shared secret of the bank's signed credit notifications; empty disables the endpoint.
        "BANK_WEBHOOK_SECRET": os.environ.get("BANK_WEBHOOK_SECRET", "").strip(),
        # Outgoing webhooks (app/webhooks) may go to plain http and to private, loopback and
        # link-local addresses: for a listener on this machine under `make run`; never in
        # production, where it would let a farm make the worker call our own network.
        "WEBHOOKS_ALLOW_LOCAL": not production
        and _bool("WEBHOOKS_ALLOW_LOCAL", env == "development"),
        # Vietnamese first: the default locale and the time zone every date is shown in.
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Uploaded photos and scans: a local folder by default (see app/storage.py).
        "STORAGE_BACKEND": os.environ.get("STORAGE_BACKEND", "local").strip() or "local",
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", "").strip(),
        # STORAGE_BACKEND=s3: the bucket, and the endpoint and region of a store other than
        # AWS (MinIO); credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
        "S3_BUCKET": os.environ.get("S3_BUCKET", "").strip(),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", "").strip(),
        "S3_REGION": os.environ.get("S3_REGION", "").strip(),
        # Optional: where the bucket's public folders are readable by anyone (a bucket policy
        # or a CDN); /media/ then redirects there instead of reading the photo itself.
        "S3_PUBLIC_URL": os.environ.get("S3_PUBLIC_URL", "").strip(),
        # Labels and label runs one farm may issue in 24 hours (a run's PDF is drawn once).
        "LABELS_PER_FARM_PER_DAY": _int("LABELS_PER_FARM_PER_DAY", 30_000),
        "LABEL_RUNS_PER_FARM_PER_DAY": _int("LABEL_RUNS_PER_FARM_PER_DAY", 50),
        # Runs of this many labels or more are drawn by the worker, not in the request.
        "LABEL_RUN_BACKGROUND_FROM": _int("LABEL_RUN_BACKGROUND_FROM", 1000),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
    }
