"""Farms, cooperatives and their members, growing areas, certifications."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the farm pages, tell the profile page of pending invitations, and start a
    seller's session on their farm's dashboard; the worker announces expiring certificates
    to webhook endpoints (farms.certificate_notices)."""
    from app.auth import hooks
    from farms import api_key_views, certificate_notices, views, webhook_views  # noqa: F401

    app.register_blueprint(views.bp)
    app.register_blueprint(api_key_views.bp)
    app.register_blueprint(webhook_views.bp)
    hooks.on_profile(app, views.invitations_notice)
    hooks.on_landing(app, views.start_page)
