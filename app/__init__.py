"""Nông Sản Số: the application factory."""

from __future__ import annotations

import importlib
import logging
import os

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import load_config
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("NONGSAN_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    from app.compression import init_compression

    # First of all hooks, so that it runs last: it compresses the answer the others finished.
    init_compression(app)
    from app.web import IdConverter

    # Before any blueprint: every <int:…> in a route is a bounded row id.
    app.url_map.converters["int"] = IdConverter
    _init_extensions(app)
    from app.page_cache import init_page_cache

    init_page_cache(app)
    _register_blueprints(app)
    _init_jobs(app)
    _init_domains(app)

    from app.errors import register_error_handlers
    from app.i18n import register_template_helpers
    from app.security import register_security_headers
    from app.static_files import init_static_files
    from app.templating import register_templating

    register_error_handlers(app)
    register_template_helpers(app)
    register_templating(app)
    register_security_headers(app)
    init_static_files(app)

    from app.cli import register_commands

    register_commands(app)
    _wrap_wsgi(app)
    return app


def _wrap_wsgi(app: Flask) -> None:
    """The client's address, scheme and host as the trusted proxies in front report them."""
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from app.database_setup import configure_sqlite
    from app.i18n import select_locale

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_token: str):
        from sqlalchemy import select

        from app.auth.models import User

        return db.session.scalar(select(User).where(User.session_token == session_token))


def _register_blueprints(app: Flask) -> None:
    from app.auth.code_views import bp as codes_bp
    from app.auth.token_views import bp as api_tokens_bp
    from app.auth.views import bp as auth_bp
    from app.main import bp as main_bp
    from app.media import bp as media_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(codes_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(media_bp)
    from app.admin_operators import init_admin_operators
    from app.admin_outbox import init_admin_outbox

    init_admin_outbox(app)
    init_admin_operators(app)
    from app.webhooks.views import bp as webhooks_bp

    app.register_blueprint(webhooks_bp)


def _init_jobs(app: Flask) -> None:
    """The background queue and the outbox it delivers (app/jobs.py, app/messaging/)."""
    from app.jobs import init_jobs
    from app.messaging import jobs as message_jobs  # noqa: F401  (registers the jobs)
    from app.webhooks import jobs as webhook_jobs  # noqa: F401  (registers the jobs)

    init_jobs(app)


def _init_domains(app: Flask) -> None:
    """Install the packages named in DOMAIN_PACKAGES: each `init_app(app)` registers its
    blueprints (they spell out their own paths: /farms/…, /products/…, /dashboard/…), its
    commands, and its hooks into accounts and the home page."""
    for name in app.config["DOMAIN_PACKAGES"]:
        importlib.import_module(name).init_app(app)
