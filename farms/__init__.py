"""Farms, cooperatives and their members, growing areas, certifications."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the farm pages and tell the profile page of pending invitations."""
    from app.auth import hooks
    from farms import views

    app.register_blueprint(views.bp)
    hooks.on_profile(app, views.invitations_notice)
